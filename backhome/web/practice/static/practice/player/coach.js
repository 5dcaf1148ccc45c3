// The camera coach's place in the session player: the offer "Use the camera to count for me" on the
// exercises it can count, a visible "camera on" state with what it has counted, and one tap to stop.
//
// Small on purpose: the camera, the pose worker and the model load only when the person taps the
// offer (practice/coach/camera.js, imported then). The counts (reps, seconds in position) go back to the player,
// marked as counted by the camera; the pictures never leave the phone and are never stored.
// The camera never changes the dose, the timer, the pain checks or a stop: it only counts.

const node = document.getElementById("coach-content");
const CONTENT = node ? JSON.parse(node.textContent) : {};
const PHASE_WORDS = {
  start: "At the start",
  moving: "Moving",
  in_position: "In position",
  returning: "Coming back",
};

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function styles() {
  if (document.getElementById("coach-css")) return;
  document.head.appendChild(el("link", { rel: "stylesheet", id: "coach-css", href: new URL("../coach/coach.css", import.meta.url).href }));
}

/** Whether this exercise can be counted by the camera here (content for it, a camera, workers). */
export function offered(exercise) {
  return !!(exercise && CONTENT[exercise.exercise_id] && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.Worker);
}

/**
 * Show the offer for one exercise in ``host``; stops and removes the previous one.
 * @param {object|null} previous what an earlier call returned
 * @param {object|null} exercise the player's exercise ({exercise_id, dose: {mode}}), null for none
 * @param {HTMLElement} host where the offer goes
 * @param {{say: (text: string) => void, onCounts: (counts: object) => void}} hooks
 * @returns {{detach: () => void}|null}
 */
export function attachCoach(previous, exercise, host, hooks) {
  if (previous) previous.detach();
  if (!offered(exercise) || !host) return null;
  styles();
  const content = CONTENT[exercise.exercise_id];
  const box = el("div", { class: "coach", id: "coach" });
  const toggle = el("button", { type: "button", class: "button small secondary", id: "coach-toggle", "aria-pressed": "false" }, "Use the camera to count for me");
  const live = el("div", { class: "coach-live", id: "coach-live" });
  live.hidden = true;
  const on = el("p", { class: "coach-on", id: "coach-on" });
  on.append(el("span", { class: "coach-dot", "aria-hidden": "true" }), document.createTextNode("Camera on"));
  on.hidden = true; // shown only while the camera really runs
  const video = el("video", { id: "coach-video", muted: "", playsinline: "", "aria-label": "What the camera sees" });
  video.muted = true;
  const counts = el("p", { class: "coach-counts", id: "coach-counts", role: "status" });
  live.append(on, video, counts);
  const note = el("p", { class: "coach-note", id: "coach-note" }, content.setup + " The pictures stay on this phone; only the counts are kept.");
  box.append(toggle, live, note);
  host.appendChild(box);

  let session = null;
  let starting = false;

  function show(snapshot, seen = true) {
    const where = seen ? PHASE_WORDS[snapshot.phase] : "Can't see you: move back into view";
    counts.textContent = `${where}. Reps counted: ${snapshot.reps}. In position: ${Math.floor(snapshot.hold_s)} s.`;
  }

  function report(snapshot) {
    hooks.onCounts({ exercise_id: exercise.exercise_id, reps: snapshot.reps, hold_s: Math.floor(snapshot.hold_s), counted_by: "camera" });
  }

  async function start() {
    starting = true;
    toggle.disabled = true;
    counts.textContent = "Starting the camera…";
    live.hidden = false;
    try {
      const { startCoach } = await import("../coach/camera.js");
      session = await startCoach({
        content,
        mode: exercise.dose && exercise.dose.mode ? exercise.dose.mode : undefined,
        video,
        onEvent(event, snapshot) {
          // The player's own words come first: the coach never cuts them off (a fault still
          // there is said again a few seconds later).
          if (event.type === "say" && !(window.speechSynthesis && window.speechSynthesis.speaking)) hooks.say(event.text);
          if (event.type === "error") {
            stop();
            counts.textContent = "The camera coach stopped: " + event.message;
            return;
          }
          show(snapshot, event.type !== "lost" && snapshot.seen !== false);
          if (event.type === "rep") report(snapshot);
        },
      });
      on.hidden = false;
      toggle.textContent = "Stop the camera";
      toggle.setAttribute("aria-pressed", "true");
      box.classList.add("is-on");
      show(session.snapshot());
    } catch (error) {
      live.hidden = true;
      note.textContent = "The camera could not start (" + (error && error.name ? error.name : "error") + "). The timer goes on as before.";
    } finally {
      starting = false;
      toggle.disabled = false;
    }
  }

  function stop() {
    if (!session) return;
    const snapshot = session.stop();
    session = null;
    report(snapshot);
    toggle.textContent = "Use the camera to count for me";
    toggle.setAttribute("aria-pressed", "false");
    box.classList.remove("is-on");
    on.hidden = true;
    live.hidden = true;
  }

  toggle.addEventListener("click", () => {
    if (starting) return;
    if (session) stop();
    else start();
  });

  return {
    detach() {
      stop();
      box.remove();
    },
    // for the page's tests: frames per second while on
    fps: () => (session ? session.fps() : 0),
  };
}
