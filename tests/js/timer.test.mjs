// The exercise timer (player/timer.js): counting holds, repetitions, sets and sides, pausing, and
// carrying on after a reload. Run by `make test-js` (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";

import { segments, Timer } from "../../backhome/web/practice/static/practice/player/timer.js";

// Dana's prone press-up: 1 set of 10, a 2-second hold; each repetition moves up, holds, comes back, rests.
const PRESS_UP = {
  name: "Prone press-up",
  dose: { sets: 1, reps: 10, hold_s: 2, per_side: false },
  timeline: [
    { phase: "move", seconds: 2, caption: "Push up slowly" },
    { phase: "hold", seconds: 2, caption: "Hold" },
    { phase: "return", seconds: 2, caption: "Come back down" },
    { phase: "rest", seconds: 2, caption: "Relax" }
  ]
};
// Walt's knee to chest: 2 sets of 3 on each side, a 20-second hold.
const KNEE_TO_CHEST = {
  name: "Knee to chest",
  dose: { sets: 2, reps: 3, hold_s: 20, per_side: true },
  timeline: [
    { phase: "move", seconds: 3, caption: "Bring one knee to your chest" },
    { phase: "hold", seconds: 20, caption: "Hold" },
    { phase: "return", seconds: 3, caption: "Lower the leg" },
    { phase: "rest", seconds: 3, caption: "Relax" }
  ]
};
const REP_SECONDS = 8; // one press-up: 2 + 2 + 2 + 2
const KNEE_SECONDS = 29; // one knee to chest: 3 + 20 + 3 + 3

const types = (events) => events.map((e) => e.type);
const s = (seconds) => seconds * 1000;

test("Dana's press-ups are a five-second get-ready, then ten repetitions of move, hold, come back and rest", () => {
  const segs = segments(PRESS_UP);
  assert.equal(segs.length, 1 + 10 * 4);
  assert.deepEqual(segs[0], {
    kind: "ready", phase: "ready", seconds: 5, set: 1, side: null, rep: 1, reps: 10, sets: 1,
    caption: "Get into the start position"
  });
  assert.deepEqual(segs.slice(1, 5).map((seg) => [seg.phase, seg.rep, seg.first]),
    [["move", 1, true], ["hold", 1, false], ["return", 1, false], ["rest", 1, false]]);
  assert.equal(segs.at(-1).rep, 10);
});

test("The picture's phase never goes back within a repetition (cat-camel moves between two holds)", () => {
  const catCamel = {
    dose: { sets: 1, reps: 1, per_side: false },
    timeline: [
      { phase: "move", seconds: 2, caption: "Arch" },
      { phase: "hold", seconds: 2, caption: "Hold" },
      { phase: "move", seconds: 2, caption: "Round" },
      { phase: "hold", seconds: 2, caption: "Hold" }
    ]
  };
  assert.deepEqual(segments(catCamel).slice(1).map((seg) => seg.picture), ["move", "hold", "hold", "hold"]);
});

test("After the get-ready and two whole press-ups the count is at rep 3, just begun", () => {
  const at = {};
  const timer = new Timer(segments(PRESS_UP), at);
  timer.start();
  const events = timer.tick(s(5 + 2 * REP_SECONDS));
  assert.equal(timer.current().rep, 3);
  assert.equal(timer.current().phase, "move");
  assert.equal(at.segMs, 0);
  assert.deepEqual(events.filter((e) => e.type === "rep").map((e) => e.rep), [1, 2, 3]);
});

test("Ticks of 200 ms add up to the same count as one long tick", () => {
  const one = new Timer(segments(PRESS_UP), {});
  const many = new Timer(segments(PRESS_UP), {});
  one.tick(s(23.4));
  for (let i = 0; i < 117; i++) {
    many.tick(200);
  }
  assert.deepEqual([many.at.seg, many.at.segMs], [one.at.seg, one.at.segMs]);
  // 23.4 s: the get-ready (5), two press-ups (16), the third's move (2), then 0.4 s into its hold.
  assert.equal(one.current().phase, "hold");
  assert.equal(one.left(), s(1.6));
});

test("Every segment begins with its own event, in order, even when a long gap covers several", () => {
  const timer = new Timer(segments(PRESS_UP), {});
  const events = timer.tick(s(5 + 4));
  assert.deepEqual(events.filter((e) => e.type === "segment").map((e) => [e.seg.phase, e.seg.rep]),
    [["move", 1], ["hold", 1], ["return", 1]]);
});

test("Starting says what the current step is: the get-ready, on the left side first", () => {
  const timer = new Timer(segments(KNEE_TO_CHEST), { paused: true });
  const events = timer.start();
  assert.equal(timer.paused, false);
  assert.deepEqual(types(events), ["segment"]);
  assert.equal(events[0].seg.kind, "ready");
  assert.equal(events[0].seg.side, "left");
});

test("Walt's knee to chest switches sides after each side's three repetitions, the last one announced", () => {
  const timer = new Timer(segments(KNEE_TO_CHEST), {});
  const events = timer.tick(s(4 * (5 + 3 * KNEE_SECONDS)) - 1);
  assert.deepEqual(events.filter((e) => e.type === "switch-sides").map((e) => e.side), ["right", "left", "right"]);
  assert.deepEqual(events.filter((e) => e.type === "last").map((e) => [e.set, e.side]),
    [[1, "left"], [1, "right"], [2, "left"], [2, "right"]]);
  assert.ok(!types(events).includes("done"));
});

test("A 20-second hold says halfway once, at 10 seconds; a 2-second hold does not", () => {
  const knee = new Timer(segments(KNEE_TO_CHEST), {});
  knee.tick(s(5 + 3)); // the get-ready and the move: the hold begins
  assert.equal(knee.current().phase, "hold");
  assert.deepEqual(types(knee.tick(s(9.8))), []);
  const half = knee.tick(s(0.4));
  assert.deepEqual(types(half), ["halfway"]);
  assert.deepEqual(types(knee.tick(s(5))), []);

  const pressUp = new Timer(segments(PRESS_UP), {});
  assert.ok(!types(pressUp.tick(s(5 + 10 * REP_SECONDS) - 1)).includes("halfway"));
});

test("The rest between repetitions is announced with its length", () => {
  const timer = new Timer(segments(PRESS_UP), {});
  const rests = timer.tick(s(5 + REP_SECONDS)).filter((e) => e.type === "rest");
  assert.deepEqual(rests, [{ type: "rest", seconds: 2 }]);
});

test("Paused, the clock stands still: a minute away changes nothing, and it carries on from the same moment", () => {
  const at = {};
  const timer = new Timer(segments(KNEE_TO_CHEST), at);
  timer.tick(s(5 + 3 + 4)); // 4 s into the first hold
  timer.pause();
  assert.deepEqual(timer.tick(s(60)), []);
  assert.equal(timer.current().phase, "hold");
  assert.equal(timer.left(), s(16));
  assert.equal(at.paused, true); // saved with the rest of the record
  assert.equal(timer.toggle(), false);
  timer.tick(s(1));
  assert.equal(timer.left(), s(15));
});

test("The exercise is over once, after the last step; later ticks change nothing", () => {
  const timer = new Timer(segments(PRESS_UP), {});
  const events = timer.tick(s(5 + 10 * REP_SECONDS + 30));
  assert.deepEqual(types(events).filter((t) => t === "done"), ["done"]);
  assert.equal(types(events).at(-1), "done");
  assert.ok(timer.finished);
  assert.equal(timer.current().rep, 10); // the page still shows the last step
  assert.equal(timer.setsDone(), 1);
  assert.deepEqual(timer.tick(s(5)), []);
  assert.deepEqual(timer.start(), []);
});

test("It hurts during the second set of knee to chest: one set is done", () => {
  const timer = new Timer(segments(KNEE_TO_CHEST), {});
  assert.equal(timer.setsDone(), 0);
  timer.tick(s(2 * (5 + 3 * KNEE_SECONDS) + 5 + 10)); // set 1 on both sides, then set 2 begun
  assert.equal(timer.current().set, 2);
  assert.equal(timer.setsDone(), 1);
});

test("After a reload the timer carries on from the saved step", () => {
  const saved = JSON.parse(JSON.stringify({ seg: 6, segMs: 1500, paused: true, stage: "run" }));
  const timer = new Timer(segments(PRESS_UP), saved);
  assert.equal(timer.current().rep, 2);
  assert.equal(timer.current().phase, "hold");
  assert.equal(timer.left(), 500);
  assert.deepEqual(timer.tick(s(10)), [], "it waits for the person while paused");
  timer.resume();
  const events = timer.tick(500);
  assert.deepEqual(events.map((e) => e.type), ["segment"]);
  assert.equal(saved.seg, 7);
  assert.equal(saved.stage, "run", "the timer leaves the rest of the record alone");
});

test("Two sets of an exercise done on both sides at once never say switch sides, and count from rep 1 again", () => {
  const twoSets = { ...PRESS_UP, dose: { ...PRESS_UP.dose, sets: 2, reps: 3 } };
  const timer = new Timer(segments(twoSets), {});
  const events = timer.tick(s(2 * (5 + 3 * REP_SECONDS)) - 1);
  assert.ok(!types(events).includes("switch-sides"));
  assert.deepEqual(events.filter((e) => e.type === "rep").map((e) => [e.set, e.rep]),
    [[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3]]);
});
