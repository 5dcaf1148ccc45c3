// The outbox (player/outbox.js): the queue of the player's writes on the phone. Every write is kept until
// the server has answered it, sent in order, and a write sent twice is stored once. Here the phone's
// storage is a Map and the server a small fake that stores each write by its id, as the real one does.
// Run by `make test-js` (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ANSWERS, classify, createOutbox, keptIn, QUEUE, statusWords
} from "../../backhome/web/practice/static/practice/player/outbox.js";

const SESSION = "5d3b6a2e-2f7c-4c1e-9a55-0c8f4b1d7e01";

function phoneStorage() {
  const data = new Map();
  return {
    data,
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => { data.set(key, String(value)); },
    removeItem: (key) => { data.delete(key); }
  };
}

// The server: stores each write once by its id; ``down`` answers nothing (offline, a server error);
// ``cutReply`` stores the write but its answer never reaches the phone; ``refuse`` maps an id to an answer.
function fakeServer() {
  const server = { stored: new Map(), calls: [], down: false, cutReply: new Set(), refuse: new Map() };
  server.send = (item) => {
    server.calls.push(item.id);
    if (server.down) {
      return Promise.resolve({ later: true });
    }
    if (server.refuse.has(item.id)) {
      const [status, json] = server.refuse.get(item.id);
      return Promise.resolve(classify(status, json));
    }
    if (!server.stored.has(item.id)) {
      server.stored.set(item.id, { id: item.id, kind: item.kind, order: server.stored.size + 1 });
    }
    if (server.cutReply.delete(item.id)) {
      return Promise.resolve({ later: true });
    }
    return Promise.resolve(classify(200, server.stored.get(item.id)));
  };
  return server;
}

function phone({ storage = phoneStorage(), server = fakeServer(), online = () => true } = {}) {
  const outbox = createOutbox({
    store: keptIn(() => storage), send: server.send, online, token: () => "csrf-token", now: () => 1700000000000
  });
  return { outbox, storage, server };
}

function write(kind, id, session = SESSION) {
  return { id, kind, session, url: "/api/v1/me/sessions/" + session + "/" + kind, body: { id } };
}
const START = write("start", SESSION);
const LOG_1 = write("log", "log-1");
const LOG_2 = write("log", "log-2");
const FINISH = write("finish", "finish-" + SESSION);

test("Dana's start, two logs and finish reach the server in the order she made them", async () => {
  const { outbox, server } = phone();
  const heard = [];
  for (const item of [START, LOG_1, LOG_2, FINISH]) {
    await outbox.add(item, (outcome) => heard.push([item.id, outcome.ok]));
  }
  assert.deepEqual(server.calls, [SESSION, "log-1", "log-2", "finish-" + SESSION]);
  assert.deepEqual(heard.map(([id, ok]) => ok), [true, true, true, true]);
  assert.equal(outbox.size(), 0);
  assert.equal(outbox.has(SESSION), false);
});

test("Each write is kept on the phone, with the page's token, before it is sent", async () => {
  const server = fakeServer();
  server.down = true;
  const { outbox, storage } = phone({ server });
  await outbox.add(write("log", "log-1"));
  const queued = JSON.parse(storage.data.get(QUEUE));
  assert.equal(queued.length, 1);
  assert.equal(queued[0].token, "csrf-token");
  assert.equal(queued[0].made, 1700000000000);
});

test("Offline, the writes wait in order and the player hears 'later'; back online they go once each, in order", async () => {
  let online = false;
  const { outbox, server } = phone({ online: () => online });
  const heard = [];
  for (const item of [START, LOG_1, LOG_2]) {
    await outbox.add(item, (outcome) => heard.push(outcome));
  }
  assert.equal(server.calls.length, 0, "nothing is tried while the browser knows it is offline");
  assert.ok(heard.every((outcome) => outcome.later));
  assert.equal(outbox.size(), 3);
  assert.equal(outbox.has(SESSION), true);
  assert.equal(statusWords(outbox.status()), "Saved on this phone \u2014 will send when you are back online.");

  online = true;
  await outbox.flush();
  assert.deepEqual(server.calls, [SESSION, "log-1", "log-2"]);
  assert.deepEqual([...server.stored.keys()], [SESSION, "log-1", "log-2"]);
  assert.equal(outbox.size(), 0);
  assert.equal(statusWords(outbox.status()), "All saved.");
});

test("A log whose answer was lost on the way back is sent again with its id, and the server holds it once", async () => {
  const { outbox, server } = phone();
  server.cutReply.add("log-1");
  await outbox.add(START);
  const heard = [];
  await outbox.add(LOG_1, (outcome) => heard.push(outcome));
  assert.deepEqual(heard, [{ later: true }], "the player carries on from the phone");
  assert.equal(outbox.size(), 1);

  await outbox.flush();
  assert.deepEqual(server.calls, [SESSION, "log-1", "log-1"]);
  assert.equal([...server.stored.keys()].filter((id) => id === "log-1").length, 1);
  assert.equal(outbox.size(), 0);
});

test("The same write queued twice (a double tap, a second tab) is queued and stored once", async () => {
  const server = fakeServer();
  server.down = true;
  const { outbox } = phone({ server });
  await outbox.add(LOG_1);
  await outbox.add({ ...LOG_1 });
  assert.equal(outbox.size(), 1);
  server.down = false;
  await outbox.flush();
  assert.equal(server.stored.size, 1);
});

test("A write the server has already answered is answered again from the phone, without sending it", async () => {
  const { outbox, server, storage } = phone();
  await outbox.add(LOG_1);
  const again = [];
  await outbox.add({ ...LOG_1 }, (outcome) => again.push(outcome));
  assert.deepEqual(server.calls, ["log-1"]);
  assert.deepEqual(again, [{ ok: true, status: 200, json: server.stored.get("log-1") }]);
  assert.equal(outbox.remembered("log-1").json.id, "log-1");
  assert.equal(JSON.parse(storage.data.get(ANSWERS)).length, 1);
});

test("A server error keeps every write in order: nothing after the failed one goes first", async () => {
  const server = fakeServer();
  const { outbox } = phone({ server });
  await outbox.add(START);
  server.down = true;
  await outbox.add(LOG_1);
  await outbox.add(LOG_2);
  assert.deepEqual(server.calls, [SESSION, "log-1", "log-1"], "each try starts again from the oldest write");
  server.down = false;
  await outbox.flush();
  assert.deepEqual([...server.stored.keys()], [SESSION, "log-1", "log-2"]);
});

test("Only the last 30 answers are kept on the phone", async () => {
  const { outbox, storage } = phone();
  for (let i = 1; i <= 35; i++) {
    await outbox.add(write("log", "log-" + i));
  }
  const kept = JSON.parse(storage.data.get(ANSWERS));
  assert.equal(kept.length, 30);
  assert.equal(kept[0].id, "log-6");
  assert.equal(outbox.remembered("log-1"), null);
});

test("A log the server refuses is taken off with a note, and the writes after it still go", async () => {
  let online = false;
  const { outbox, server } = phone({ online: () => online });
  server.refuse.set("log-1", [400, { error: { code: "invalid", message: "The position is beyond the session." } }]);
  await outbox.add(START);
  await outbox.add(LOG_1);
  await outbox.add(LOG_2);
  online = true;
  await outbox.flush();
  assert.deepEqual([...server.stored.keys()], [SESSION, "log-2"]);
  assert.deepEqual(outbox.status().notes,
    ["One of your answers could not be saved. The position is beyond the session."]);
  assert.equal(outbox.size(), 0);
});

test("A refusal the player is waiting for is its to show: no note", async () => {
  const { outbox, server } = phone();
  server.refuse.set("log-1", [409, { error: { code: "conflict", message: "Another tab moved on." } }]);
  const heard = [];
  await outbox.add(LOG_1, (outcome) => heard.push(outcome));
  assert.equal(heard[0].refused, true);
  assert.equal(heard[0].status, 409);
  assert.deepEqual(outbox.status().notes, []);
});

test("A refused start takes off every write of that session (another phone did today's session first)", async () => {
  let online = false;
  const { outbox, server } = phone({ online: () => online });
  server.refuse.set(SESSION, [409, { error: { code: "done_today", message: "Today's session is already done." } }]);
  const other = write("log", "log-of-another-session", "another-session");
  for (const item of [START, LOG_1, LOG_2, FINISH, other]) {
    await outbox.add(item);
  }
  online = true;
  await outbox.flush();
  assert.deepEqual(server.calls, [SESSION, "log-of-another-session"]);
  assert.deepEqual(outbox.status().notes,
    ["Your session done on this phone could not be saved. Today's session is already done."]);
});

test("Finishing a session the server has already stopped is dropped quietly", async () => {
  let online = false;
  const { outbox, server } = phone({ online: () => online });
  server.refuse.set(FINISH.id, [409, { error: { code: "ended", message: "This session has ended." } }]);
  await outbox.add(LOG_1);
  await outbox.add(FINISH);
  online = true;
  await outbox.flush();
  assert.equal(outbox.size(), 0);
  assert.deepEqual(outbox.status().notes, []);
  assert.equal(statusWords(outbox.status()), "All saved.");
});

test("A write that goes through at once needs no words on the status line", async () => {
  const { outbox } = phone();
  const seen = [];
  outbox.onChange((status) => seen.push(statusWords(status)));
  await outbox.add(LOG_1);
  assert.deepEqual([...new Set(seen)], [""]);
});

test("Writes left from an earlier page are sent when the next page opens", async () => {
  const storage = phoneStorage();
  const server = fakeServer();
  server.down = true;
  await phone({ storage, server }).outbox.add(LOG_1);
  server.down = false;
  const next = phone({ storage, server }).outbox;
  assert.equal(next.status().stalled, true);
  await next.flush();
  assert.equal(server.stored.size, 1);
  assert.equal(statusWords(next.status()), "All saved.");
});

test("Without storage (a private mode) the queue lives in the page", async () => {
  const server = fakeServer();
  server.down = true;
  const outbox = createOutbox({
    store: keptIn(() => { throw new Error("SecurityError"); }), send: server.send
  });
  await outbox.add(LOG_1);
  assert.equal(outbox.size(), 1);
  server.down = false;
  await outbox.flush();
  assert.equal(outbox.size(), 0);
});

test("What an answer means: stored, try again later, or refused", () => {
  assert.deepEqual(classify(201, { id: "x" }), { ok: true, status: 201, json: { id: "x" } });
  for (const status of [500, 503, 429, 408]) {
    assert.deepEqual(classify(status, { error: {} }), { later: true }, String(status));
  }
  assert.deepEqual(classify(200, null), { later: true }, "a body that is not JSON (a captive portal's page)");
  assert.equal(classify(400, { error: { code: "invalid" } }).refused, true);
  assert.equal(classify(404, { error: { code: "not_found" } }).status, 404);
});
