// The camera coach's counter over landmark sequences made from backhome's body model
// (scripts/coach_fixtures.py, run by `make test-js` first): every supported exercise, clean and
// with the camera's faults: noise, dropped frames, a hidden wrist or far leg, a person who leaves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { createCounter } from "../../backhome/web/practice/static/practice/coach/count.js";
import { measure } from "../../backhome/web/practice/static/practice/coach/landmarks.js";

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, "coach-fixtures");
const CONTENT = join(FIXTURES, "coach-content.json");

if (!existsSync(CONTENT)) {
  throw new Error("no landmark sequences: run `make test-js` (it runs python -m scripts.coach_fixtures) first");
}
const content = JSON.parse(readFileSync(CONTENT, "utf8"));
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json") && f !== "coach-content.json")
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), "utf8")));

const asLandmarks = (rows) => rows.map(([x, y, visibility]) => ({ x, y, z: 0, visibility }));

function play(fx) {
  const counter = createCounter(content[fx.exercise], { mode: fx.mode ?? undefined, aspect: fx.width / fx.height });
  const events = [];
  const holdWhileAway = [];
  let before = counter.snapshot();
  for (const frame of fx.frames) {
    const lms = frame.landmarks.length ? asLandmarks(frame.landmarks) : [];
    events.push(...counter.push(frame.t, lms));
    const now = counter.snapshot();
    if (!lms.length && now.hold_s > before.hold_s) holdWhileAway.push(frame.t);
    before = now;
  }
  return { state: counter.snapshot(), events, holdWhileAway };
}

test("every supported exercise has its landmark sequences", () => {
  for (const exercise of Object.keys(content)) {
    const names = fixtures.filter((f) => f.exercise === exercise).map((f) => f.name);
    for (const kind of ["clean", "mirrored-noisy-dropped", "occluded", "leaves-during-hold", "gone-for-a-rep"]) {
      assert.ok(names.includes(`${exercise}--${kind}`), `${exercise}--${kind} is missing`);
    }
  }
});

for (const fx of fixtures) {
  test(`${fx.name}: counts ${fx.expect.reps} reps and ${fx.expect.hold_s}-${fx.expect.hold_max_s} s in position`, () => {
    const { state, events, holdWhileAway } = play(fx);
    assert.equal(state.reps, fx.expect.reps, "reps");
    const holds = fx.expect.reps * (fx.exercise === "cat-camel" && fx.mode !== "extension_only" ? 2 : 1);
    // At least the holds, less the moment each position takes to settle; at most the holds and
    // the ends of the movements (the last half of the way in and the first half of the way out).
    const least = fx.expect.hold_s - 0.5 * holds;
    assert.ok(
      state.hold_s >= least && state.hold_s <= fx.expect.hold_max_s + 0.2,
      `held ${state.hold_s} s, expected ${least.toFixed(1)}-${fx.expect.hold_max_s} s`,
    );
    assert.deepEqual(holdWhileAway, [], "the hold clock ran while nobody was in the frame");
    const reps = events.filter((e) => e.type === "rep").map((e) => e.reps);
    assert.deepEqual(reps, Array.from({ length: fx.expect.reps }, (_, i) => i + 1), "one event per rep, in order");
  });

  test(`${fx.name}: says at most one correction every few seconds`, () => {
    const { events } = play(fx);
    const said = events.filter((e) => e.type === "say" && e.kind === "correction");
    const gap = content[fx.exercise].speak_gap_s;
    for (let i = 1; i < said.length; i += 1) {
      assert.ok(said[i].t - said[i - 1].t >= gap - 1e-9, `two corrections ${said[i].t - said[i - 1].t} s apart`);
    }
    const texts = said.map((e) => e.text.toLowerCase());
    for (const expected of fx.expect.says ?? []) {
      assert.ok(texts.some((t) => t.startsWith(expected)), `never said "${expected}" (said: ${texts})`);
    }
    if (!fx.expect.says) assert.deepEqual(texts, [], "a correction for a rep done well");
  });
}

test("a person who leaves the frame is reported lost and found again", () => {
  const fx = fixtures.find((f) => f.name === "prone-press-up--leaves-during-hold");
  const types = play(fx).events.map((e) => e.type);
  assert.ok(types.includes("lost"), "never lost");
  assert.ok(types.lastIndexOf("found") > types.indexOf("lost"), "never found again");
});

test("a frame with nobody in it measures nothing", () => {
  assert.equal(measure([]), null);
  assert.equal(measure(null), null);
});

test("points seen too faintly are not measured", () => {
  const fx = fixtures.find((f) => f.name === "prone-press-up--clean");
  const faint = asLandmarks(fx.frames[0].landmarks).map((p) => ({ ...p, visibility: 0.1 }));
  const values = measure(faint, { aspect: 16 / 9 });
  assert.ok(Object.values(values).every((v) => v === null));
});

test("the measures do not depend on which way the person faces", () => {
  const fx = fixtures.find((f) => f.name === "cat-camel--clean");
  for (const frame of fx.frames.slice(0, 200).filter((_, i) => i % 20 === 0)) {
    const lms = asLandmarks(frame.landmarks);
    const mirrored = lms.map((p) => ({ ...p, x: 1 - p.x }));
    const a = measure(lms, { aspect: 16 / 9 });
    const b = measure(mirrored, { aspect: 16 / 9 });
    for (const k of Object.keys(a)) {
      if (a[k] === null) assert.equal(b[k], null);
      else assert.ok(Math.abs(a[k] - b[k]) < 1e-6, k);
    }
  }
});

test("frames out of order are ignored, never counted twice", () => {
  const fx = fixtures.find((f) => f.name === "childs-pose--clean");
  const counter = createCounter(content[fx.exercise], { aspect: fx.width / fx.height });
  for (const frame of fx.frames) {
    counter.push(frame.t, asLandmarks(frame.landmarks));
    counter.push(frame.t - 0.5, asLandmarks(frame.landmarks));
  }
  assert.equal(counter.snapshot().reps, fx.expect.reps);
});

test("noise alone, without a movement, never counts a rep", () => {
  const fx = fixtures.find((f) => f.name === "prone-press-up--clean");
  const still = asLandmarks(fx.frames[0].landmarks);
  const counter = createCounter(content[fx.exercise], { aspect: fx.width / fx.height });
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.03;
  for (let i = 0; i < 600; i += 1) {
    counter.push(i / 15, still.map((p) => ({ ...p, x: p.x + rand(), y: p.y + rand() })));
  }
  assert.equal(counter.snapshot().reps, 0);
  assert.equal(counter.snapshot().hold_s, 0);
});

// A person standing up, facing the camera's side, who lifts a knee high and stretches the arms out:
// none of these floor exercises, whatever the angles of one joint say.
function standing(kneeUp) {
  const at = {
    nose: [0.53, 0.18], shoulder: [0.5, 0.3], elbow: [0.5, 0.42], wrist: kneeUp ? [0.62, 0.3] : [0.5, 0.52],
    hip: [0.5, 0.55], knee: kneeUp ? [0.62, 0.5] : [0.5, 0.75], ankle: kneeUp ? [0.6, 0.7] : [0.5, 0.95],
    heel: [0.49, 0.97], foot_index: [0.55, 0.97], pinky: [0.5, 0.55], index: [0.5, 0.55], thumb: [0.5, 0.55],
    eye: [0.52, 0.17], eye_inner: [0.52, 0.17], eye_outer: [0.52, 0.17], ear: [0.5, 0.18],
  };
  const names = ["nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right"];
  const body = ["shoulder", "elbow", "wrist", "pinky", "index", "thumb", "hip", "knee", "ankle", "heel", "foot_index"];
  const frame = names.map((n) => {
    const [x, y] = at[n.replace(/^(left|right)_/, "")] ?? at.nose;
    return { x, y, visibility: 0.99 };
  });
  // BlazePose order after the face: left/right pairs from the shoulders down; the left leg stays down
  for (const part of body) {
    for (const side of ["left", "right"]) {
      const [x, y] = side === "left" && part === "knee" ? [0.5, 0.75] : at[part];
      frame.push({ x, y, visibility: 0.99 });
    }
  }
  return frame;
}

test("someone standing who lifts a knee or an arm is never counted in any exercise", () => {
  for (const [exercise, config] of Object.entries(content)) {
    const counter = createCounter(config, { aspect: 16 / 9 });
    for (let i = 0; i < 300; i += 1) counter.push(i / 15, standing(Math.floor(i / 30) % 2 === 1));
    const state = counter.snapshot();
    assert.equal(state.reps, 0, exercise);
    assert.equal(state.hold_s, 0, exercise);
  }
});
