// The page's side of the session player: finding, showing and filling in the parts of player.html.
// It decides nothing: player.js says what to show.
import { missingWords, readAnswers, ROWS } from "./painchecks.js";

export const RING = 326.73;

export function $(id) {
  return document.getElementById(id);
}

export function show(node, on) {
  node.hidden = !on;
}

export function text(node, value) {
  node.textContent = value;
}

const STAGES = ["stage-check", "stage-felt", "stage-exercise", "stage-result", "stage-done"];

// Show one stage of the player, and move the focus to its heading.
export function stage(id, focus) {
  STAGES.forEach((s) => show($(s), s === id));
  // While exercising the page is the exercise alone: no site header or footer (player.css).
  document.body.classList.toggle("exercising", id === "stage-exercise" || id === "stage-felt");
  if (focus) {
    focus.setAttribute("tabindex", "-1");
    focus.focus();
  }
  window.scrollTo(0, 0);
}

// The toolbar's "where in the session" line.
export function where(words) {
  text($("where"), words);
}

// A countdown ring: ``left`` of ``total`` milliseconds.
export function ring(node, left, total) {
  node.setAttribute("stroke-dashoffset", String(RING * (1 - left / total)));
}

export function clearErrors(form) {
  form.querySelectorAll(".error.js-error").forEach((n) => n.remove());
  form.querySelectorAll(".has-error").forEach((n) => n.classList.remove("has-error"));
}

// The pain check's answers, or null after marking the questions left empty (focus on the first).
export function readCheck(form, kind) {
  clearErrors(form);
  const values = {};
  ROWS.forEach((name) => {
    values[name] = form.elements[name] ? form.elements[name].value : "";
  });
  const { answers, missing } = readAnswers(values, kind);
  let first = null;
  missing.forEach((name) => {
    const box = $("check-" + name);
    const note = document.createElement("p");
    note.className = "error js-error";
    text(note, missingWords(name));
    box.classList.add("has-error");
    box.querySelector("legend").after(note);
    first = first || box.querySelector("input");
  });
  if (first) {
    first.focus();
    return null;
  }
  return answers;
}
