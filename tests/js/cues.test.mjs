// The spoken cues and buzzes (player/cues.js): what the voice says for the timer's events, so a person
// lying on the floor is led without looking at the screen. Run by `make test-js` (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";

import { buzz, BUZZ, cue, cues } from "../../backhome/web/practice/static/practice/player/cues.js";
import { segments, Timer } from "../../backhome/web/practice/static/practice/player/timer.js";

// Walt's knee to chest: 1 set of 2 on each side, a 10-second hold.
const KNEE = {
  name: "Single knee to chest",
  dose: { sets: 1, reps: 2, hold_s: 10, per_side: true },
  timeline: [
    { phase: "move", seconds: 3, caption: "Bring one knee to your chest" },
    { phase: "hold", seconds: 10, caption: "Hold it there" },
    { phase: "return", seconds: 3, caption: "Lower the leg" },
    { phase: "rest", seconds: 3, caption: "Relax" }
  ]
};

// Everything the voice says through the whole exercise, second by second.
function spokenThrough(ex) {
  const at = {};
  const timer = new Timer(segments(ex), at);
  const said = [cues(timer.start(), ex)];
  while (!timer.finished) {
    said.push(cues(timer.tick(1000), ex));
  }
  return said.filter((words) => words.length);
}

test("The get-ready count names the exercise and the side", () => {
  const said = spokenThrough(KNEE);
  assert.deepEqual(said[0], ["Get ready. Single knee to chest, left side."]);
});

test("Each repetition is counted before its step is said, and the last one is called the last one", () => {
  const said = spokenThrough(KNEE);
  assert.deepEqual(said[1], ["Rep 1 of 2.", "Bring one knee to your chest"]);
  const last = said.find((words) => words.includes("Last one."));
  assert.deepEqual(last, ["Last one.", "Bring one knee to your chest"]);
  assert.ok(!said.flat().includes("Rep 2 of 2."), "the last repetition is not counted twice");
});

test("A ten-second hold says halfway, a rest says rest, and the second side says switch sides", () => {
  const flat = spokenThrough(KNEE).flat();
  assert.equal(flat.filter((w) => w === "Halfway.").length, 4); // two holds on each side
  assert.ok(flat.includes("Rest."));
  const sw = flat.indexOf("Switch sides: now your right side.");
  assert.ok(sw > 0);
  assert.equal(flat[sw + 1], "Get ready. Single knee to chest, right side.");
});

test("A short hold under ten seconds has no halfway", () => {
  const short = { ...KNEE, timeline: KNEE.timeline.map((s) => (s.phase === "hold" ? { ...s, seconds: 5 } : s)) };
  assert.ok(!spokenThrough(short).flat().includes("Halfway."));
});

test("An event with nothing to say says nothing", () => {
  assert.equal(cue({ type: "done" }, KNEE), null);
  assert.equal(cue({ type: "something-else" }, KNEE), null);
  assert.deepEqual(cues([], KNEE), []);
});

test("The phone buzzes the strongest event of a moment: switching sides before a repetition", () => {
  assert.deepEqual(buzz([{ type: "rep", rep: 1, reps: 2 }]), BUZZ.rep);
  assert.deepEqual(buzz([{ type: "switch-sides", side: "right" }, { type: "rep", rep: 1, reps: 2 }]), BUZZ["switch-sides"]);
  assert.deepEqual(buzz([{ type: "done" }]), BUZZ.done);
  assert.equal(buzz([{ type: "halfway" }]), null);
});
