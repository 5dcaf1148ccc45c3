// The outbox, without the page (docs/web-session.md, "Offline"): each write is queued before it is sent,
// kept until the server has answered it, and sent in order, one at a time. Each carries its own id, so
// the server stores a write sent twice once. offline.js gives it localStorage and fetch.

export const QUEUE = "backhome.outbox";
export const ANSWERS = "backhome.outbox.answers";
export const KEEP_ANSWERS = 30;

// JSON in a Web Storage; in memory for this page only when ``storage()`` throws (some private modes).
export function keptIn(storage) {
  const memory = {};
  return {
    read(key, fallback) {
      try {
        const raw = storage().getItem(key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) {
        return memory[key] === undefined ? fallback : memory[key];
      }
    },
    write(key, value) {
      try {
        storage().setItem(key, JSON.stringify(value));
      } catch (e) {
        memory[key] = value;
      }
    }
  };
}

// An answer: {ok, status, json}; try again {later: true}; else {refused, status, json}.
export function classify(status, json) {
  if (status >= 200 && status < 300 && json && json.id) {
    return { ok: true, status, json };
  }
  if (status >= 500 || status === 429 || status === 408 || !json) {
    return { later: true };
  }
  return { refused: true, status, json };
}

// The status line's words. A write that goes at once needs none.
export function statusWords({ waiting, stalled, sentHere }) {
  if (waiting && stalled) {
    return "Saved on this phone \u2014 will send when you are back online.";
  }
  return !waiting && sentHere ? "All saved." : "";
}

function errorOf(outcome) {
  return (outcome.json && outcome.json.error) || {};
}

// ``send(item)``: a promise of classify()'s outcome (a rejection counts as later). ``token()``: the CSRF
// token kept with each write.
export function createOutbox({ store, send, online = () => true, token = () => "", now = () => Date.now() }) {
  const waiting = {}; // item id -> callbacks of the page that is waiting for its answer
  const listeners = [];
  const notes = []; // what the server refused while this page was open, and nobody was waiting for
  let running = null; // the send under way, if any
  let sentHere = false;

  function queue() {
    const items = store.read(QUEUE, []);
    return Array.isArray(items) ? items : [];
  }
  // Something could not be sent at once (or was left from an earlier page).
  let stalled = queue().length > 0;

  function status() {
    const size = queue().length;
    return { waiting: size, stalled: stalled && size > 0, sentHere, notes: notes.slice() };
  }
  function changed() {
    if (!queue().length) {
      stalled = false;
    }
    const now = status();
    listeners.forEach((listener) => listener(now));
  }
  function answer(id, outcome) {
    const callbacks = waiting[id] || [];
    delete waiting[id];
    callbacks.forEach((callback) => callback(outcome));
    return callbacks.length > 0;
  }
  function remember(id, json) {
    const answers = store.read(ANSWERS, []).filter((a) => a.id !== id);
    answers.push({ id, json });
    store.write(ANSWERS, answers.slice(-KEEP_ANSWERS));
  }
  function remembered(id) {
    return store.read(ANSWERS, []).filter((a) => a.id === id)[0] || null;
  }
  function drop(test) {
    store.write(QUEUE, queue().filter((item) => !test(item)));
  }

  function settle(item, outcome) {
    if (outcome.later) {
      // Not sent: everything stays queued, in order. Whoever waits carries on from this phone.
      stalled = true;
      queue().forEach((queued) => answer(queued.id, { later: true }));
      changed();
      return false;
    }
    if (outcome.ok) {
      sentHere = sentHere || stalled;
      drop((queued) => queued.id === item.id);
      remember(item.id, outcome.json);
      answer(item.id, outcome);
    } else {
      const code = errorOf(outcome).code;
      const wholeSession = item.kind === "start" || outcome.status === 404;
      // Finishing a session the server has already ended (or that waits for a re-check) changes nothing.
      const quiet = item.kind === "finish" && (code === "ended" || code === "recheck_pending");
      drop((queued) => queued.id === item.id || (wholeSession && queued.session === item.session));
      const heard = answer(item.id, outcome);
      if (!quiet && !heard) {
        notes.push((wholeSession ? "Your session done on this phone could not be saved. "
          : "One of your answers could not be saved. ") + (errorOf(outcome).message || ""));
      }
      if (quiet) {
        sentHere = sentHere || stalled;
      }
    }
    changed();
    return true;
  }

  // Send the queue, in order, until it is empty or a write has to wait. The promise ends with the run.
  function flush() {
    if (running) {
      return running; // the running flush reaches every write in turn
    }
    const items = queue();
    if (!items.length) {
      changed();
      return Promise.resolve();
    }
    if (!online()) {
      stalled = true;
      items.forEach((queued) => answer(queued.id, { later: true }));
      changed();
      return Promise.resolve(); // the browser's "online" event sends them
    }
    const item = items[0];
    let sending;
    try {
      sending = Promise.resolve(send(item));
    } catch (e) {
      sending = Promise.resolve({ later: true });
    }
    running = sending.catch(() => ({ later: true })).then((outcome) => {
      running = null;
      return settle(item, outcome) ? flush() : undefined;
    });
    return running;
  }

  // Queue a write and send the queue. ``done`` gets {ok, json} when the server answered, {later: true}
  // when it is kept on this phone for later, or {refused, status, json} when the server refused it.
  // ``item``: {id, kind ("start", "log", "recheck", "finish"), session, url, body}.
  function add(item, done) {
    const known = remembered(item.id);
    if (known) {
      if (done) {
        done({ ok: true, status: 200, json: known.json });
      }
      return Promise.resolve();
    }
    const items = queue();
    if (!items.some((queued) => queued.id === item.id)) {
      item.token = item.token || token();
      item.made = now();
      items.push(item);
      store.write(QUEUE, items);
    }
    if (done) {
      (waiting[item.id] = waiting[item.id] || []).push(done);
    }
    changed();
    return flush();
  }

  return {
    add,
    flush,
    // Whether writes of this session still wait.
    has: (sessionId) => queue().some((item) => item.session === sessionId),
    size: () => queue().length,
    remembered,
    status,
    // Another tab changed the queue: tell the listeners.
    refresh: changed,
    onChange: (listener) => listeners.push(listener)
  };
}
