// The player's modules as the browser loads them: every import is a file the service worker keeps, so a
// session opened offline still loads (backhome/web/practice/worker.py keeps player.js, offline.js and
// every practice/player/*.js). Run by `make test-js` (node --test).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const STATIC = join(dirname(fileURLToPath(import.meta.url)), "../../backhome/web/practice/static/practice");
const ENTRIES = ["player.js", "offline.js"];

function imports(file) {
  const source = readFileSync(join(STATIC, file), "utf-8");
  return [...source.matchAll(/^import [^;]*? from "([^"]+)";$/gm)].map((m) => m[1]);
}

function graph() {
  const seen = new Set();
  const todo = [...ENTRIES];
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) {
      continue;
    }
    seen.add(file);
    for (const target of imports(file)) {
      assert.ok(target.startsWith("./"), `${file} imports ${target}: only relative files, no bare names`);
      todo.push(relative(STATIC, join(STATIC, dirname(file), target)));
    }
  }
  return seen;
}

test("Every module the player loads is a file the service worker keeps for offline use", () => {
  const files = graph();
  assert.ok(files.has("player/timer.js") && files.has("player/outbox.js"));
  for (const file of files) {
    assert.ok(existsSync(join(STATIC, file)), `${file} is missing`);
    assert.ok(ENTRIES.includes(file) || /^player\/[^/]+\.js$/.test(file), `${file} is outside practice/player/`);
  }
});

test("The player and the plan share one outbox: player.js imports offline.js by the page's own address", () => {
  assert.ok(imports("player.js").includes("./offline.js"));
  assert.ok(imports("offline.js").includes("./player/outbox.js"));
});
