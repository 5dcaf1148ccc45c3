// The pain checks (player/painchecks.js): reading the answers, and PM-F1, the one rule the player applies
// by itself while the server cannot be reached ("stop if any increase in low back pain or sciatic pain
// down the leg"). Run by `make test-js` (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  localResult, missingWords, OFFLINE, readAnswers, unchanged, warningSign, worse
} from "../../backhome/web/practice/static/practice/player/painchecks.js";

// Dana before her session: back pain 4, leg pain 2 reaching the buttock (zone 1), nothing else.
const DANA_BEFORE = { back: 4, leg: 2, zone: 1, numbness: false, red_flag: false };
const after = (changes) => ({ ...DANA_BEFORE, weakness: false, ...changes });

test("Back pain from 4 to 5 after an exercise is a rise: PM-F1 stops", () => {
  assert.equal(worse(after({ back: 5 }), DANA_BEFORE), true);
});

test("Leg pain up by one point stops too, however low it is", () => {
  assert.equal(worse(after({ leg: 3 }), DANA_BEFORE), true);
});

test("Pain that spreads further down the leg stops, even when the scores are the same", () => {
  assert.equal(worse(after({ zone: 2 }), DANA_BEFORE), true);
});

test("The same pain or less, and nothing new: Dana carries on", () => {
  assert.equal(worse(after({}), DANA_BEFORE), false);
  assert.equal(worse(after({ back: 2, leg: 0, zone: 0 }), DANA_BEFORE), false);
});

test("Numbness that was there before is not new; numbness that was not there stops and shows the emergency page", () => {
  const numbBefore = { ...DANA_BEFORE, numbness: true };
  assert.equal(worse(after({ numbness: true }), numbBefore), false);
  assert.equal(warningSign(after({ numbness: true }), numbBefore), false);
  assert.equal(worse(after({ numbness: true }), DANA_BEFORE), true);
  assert.equal(warningSign(after({ numbness: true }), DANA_BEFORE), true);
});

test("Weakness or a warning sign always stops, with the way to the emergency page", () => {
  for (const sign of [{ weakness: true }, { red_flag: true }]) {
    assert.equal(worse(after(sign), DANA_BEFORE), true);
    assert.equal(warningSign(after(sign), DANA_BEFORE), true);
  }
  assert.equal(warningSign(after({ back: 9 }), DANA_BEFORE), false, "more pain alone is no warning sign");
});

test("Each exercise is compared with the check it started from, not with the first of the day", () => {
  const afterFirst = after({ back: 2 });
  assert.equal(worse(after({ back: 3 }), afterFirst), true, "2 then 3 is a rise, though 3 is below the 4 of the start");
});

test("A skipped exercise has no check and never stops", () => {
  assert.equal(worse(null, DANA_BEFORE), false);
});

test("Answers become numbers and yes or no; weakness is not asked before the session", () => {
  const form = { back: "4", leg: "2", zone: "1", numbness: "no", weakness: "", red_flag: "no" };
  assert.deepEqual(readAnswers(form, "before"), { answers: DANA_BEFORE, missing: [] });
  assert.deepEqual(readAnswers(form, "after").missing, ["weakness"]);
  assert.deepEqual(readAnswers({ ...form, weakness: "yes" }, "after").answers, { ...DANA_BEFORE, weakness: true });
});

test("Questions left empty are named in the form's order, each with its own words", () => {
  const { answers, missing } = readAnswers({ back: "0", red_flag: "no" }, "after");
  assert.deepEqual(answers, { back: 0, red_flag: false });
  assert.deepEqual(missing, ["leg", "zone", "numbness", "weakness"]);
  assert.equal(missingWords("leg"), "Please choose a number from 0 to 10.");
  assert.equal(missingWords("zone"), "Please choose how far down it reaches.");
  assert.equal(missingWords("numbness"), "Please choose Yes or No.");
});

test("Offline with no rise: saved on this phone, no light, on to the next exercise", () => {
  const result = localResult(1, 3, false, after({}), DANA_BEFORE);
  assert.equal(result.local, true);
  assert.equal(result.end_session, false);
  assert.equal(result.light, undefined, "only the core gives lights");
  assert.equal(result.next_position, 2);
  assert.equal(result.advice, OFFLINE.carryOn);
  assert.deepEqual(result.reasons.map((r) => r.text), [OFFLINE.why, OFFLINE.rule]);
  assert.equal(localResult(3, 3, false, after({}), DANA_BEFORE).next_position, null, "after the last one: finish");
});

test("Offline with a rise: the session stops there, with rest as the advice", () => {
  const result = localResult(2, 3, true, after({ back: 6 }), DANA_BEFORE);
  assert.equal(result.end_session, true);
  assert.equal(result.next_position, null);
  assert.equal(result.advice, OFFLINE.stop);
  assert.equal(result.warning, false);
});

test("A warning sign in the check before the session stops it before the first exercise", () => {
  const result = localResult(0, 3, true, { ...DANA_BEFORE, red_flag: true }, undefined);
  assert.equal(result.position, 0);
  assert.equal(result.end_session, true);
  assert.equal(result.warning, true);
});

test("A re-check answered offline with pain not back down stops, without an emergency button", () => {
  const result = localResult(2, 3, true, null, undefined);
  assert.equal(result.end_session, true);
  assert.equal(result.warning, false);
});

test("A one-tap 'better' or 'the same' sends the check the exercise started from, with nothing new", () => {
  const sent = unchanged(DANA_BEFORE);
  assert.deepEqual(sent, { back: 4, leg: 2, zone: 1, numbness: false, weakness: false, red_flag: false });
  assert.equal(worse(sent, DANA_BEFORE), false); // PM-F1 offline agrees: not worse
});

test("Numbness that was there before the exercise is not new after a one-tap 'the same'", () => {
  const before = { ...DANA_BEFORE, numbness: true };
  assert.equal(unchanged(before).numbness, true);
  assert.equal(warningSign(unchanged(before), before), false);
});
