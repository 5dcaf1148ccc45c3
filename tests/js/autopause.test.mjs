// The pause of its own (player/autopause.js): when the page is hidden or the phone locks, a running
// exercise pauses; back on the page, a count of three, then it carries on. Run by `make test-js`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { AutoPause, COUNT_MS } from "../../backhome/web/practice/static/practice/player/autopause.js";

const types = (events) => events.map((e) => e.type);

test("A running exercise pauses when the page is hidden, and only then", () => {
  const at = {};
  const away = new AutoPause(at);
  assert.deepEqual(types(away.hide(true)), ["pause"]);
  assert.equal(at.auto, true);
  assert.equal(away.counting, false);
  assert.deepEqual(away.tick(40000), [], "nothing happens while the page is hidden");
});

test("An exercise the person paused stays theirs: hiding the page changes nothing", () => {
  const at = {};
  const away = new AutoPause(at);
  assert.deepEqual(away.hide(false), []);
  assert.deepEqual(away.show(), []);
  assert.equal(at.auto, false);
});

test("Back on the page, it counts three, two, one, then carries on", () => {
  const at = {};
  const away = new AutoPause(at);
  away.hide(true);
  assert.deepEqual(away.show(), [{ type: "count", n: 3 }]);
  assert.equal(away.count, 3);
  assert.deepEqual(away.tick(500), []);
  assert.deepEqual(away.tick(600), [{ type: "count", n: 2 }]);
  assert.deepEqual(away.tick(1000), [{ type: "count", n: 1 }]);
  assert.deepEqual(away.tick(900), [{ type: "resume" }]);
  assert.equal(at.auto, false);
  assert.equal(away.counting, false);
  assert.equal(COUNT_MS, 3000);
});

test("Hidden again during the count: it waits for the page again, and counts from three", () => {
  const at = {};
  const away = new AutoPause(at);
  away.hide(true);
  away.show();
  away.tick(2000);
  assert.deepEqual(away.hide(false), []);
  assert.equal(away.counting, false);
  assert.deepEqual(away.show(), [{ type: "count", n: 3 }]);
});

test("Pressing Pause or Resume during the count makes the pause the person's own", () => {
  const at = {};
  const away = new AutoPause(at);
  away.hide(true);
  away.show();
  away.cancel();
  assert.equal(at.auto, false);
  assert.deepEqual(away.tick(5000), []);
});

test("The count is kept on the saved record, so a new page carries on from it", () => {
  const at = {};
  new AutoPause(at).hide(true);
  const again = new AutoPause(JSON.parse(JSON.stringify(at)));
  assert.deepEqual(again.show(), [{ type: "count", n: 3 }]);
});
