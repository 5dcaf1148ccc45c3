// Offline support for the plan and the session player (docs/web-session.md, "Offline").
// 1. Registers the service worker (/sw.js), which keeps these pages and their files on the device.
// 2. The outbox: every write of the player is put in a queue on this device (localStorage) before it is
//    sent, and stays there until the server has answered it. The queue is sent in order, at once, when
//    the browser is back online, when a page loads and every 30 seconds. Each write carries its own id
//    (the client UUIDs of the session, its logs), so a write sent twice is stored once by the server.
//    A refusal (4xx) is taken off the queue with a note on the page; a conflict (409) means the server
//    already holds the session in another state, so that write is not sent again either.
// 3. A short status line: "Saved on this phone ..." while something waits, then "All saved".
// It decides nothing about pain: the server asks the core for every write it receives.
(function () {
  "use strict";
  var QUEUE = "backhome.outbox";
  var ANSWERS = "backhome.outbox.answers";
  var TIMEOUT = 15000;
  var EVERY = 30000;
  var KEEP_ANSWERS = 30;
  var me = document.currentScript;
  var memory = {}; // when localStorage cannot be used (private mode): this page only

  function read(key, fallback) {
    try {
      var raw = localStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return memory[key] === undefined ? fallback : memory[key];
    }
  }
  function write(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      memory[key] = value;
    }
  }

  function queue() {
    var items = read(QUEUE, []);
    return Array.isArray(items) ? items : [];
  }
  function pageToken() {
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // ------------------------------------------------------------------ status line

  // Something could not be sent at once (or was left from an earlier page): the person hears about it
  // until everything is sent, then once that all is saved. A write that goes at once needs no words.
  var stalled = false;
  var sentHere = false;
  var listeners = [];
  var notes = []; // what the server refused while this page was open

  function statusNode() {
    var node = document.getElementById("sync-status");
    if (!node && (queue().length || notes.length)) {
      var main = document.getElementById("main");
      if (!main) {
        return null;
      }
      node = document.createElement("p");
      node.id = "sync-status";
      node.className = "sync-status card";
      node.setAttribute("role", "status");
      node.hidden = true;
      main.insertBefore(node, main.firstChild);
    }
    return node;
  }
  function showStatus() {
    var node = statusNode();
    var waiting = queue().length;
    if (!waiting) {
      stalled = false;
    }
    if (node && !(waiting && !stalled)) { // a write on its way: no change until it is answered
      var words = waiting && stalled ? "Saved on this phone \u2014 will send when you are back online."
        : (!waiting && sentHere ? "All saved." : "");
      node.replaceChildren();
      if (words) {
        var line = document.createElement("span");
        line.className = waiting ? "sync-waiting" : "sync-done";
        line.textContent = words;
        node.appendChild(line);
      }
      notes.forEach(function (text) {
        var note = document.createElement("span");
        note.className = "sync-note";
        note.textContent = text;
        node.appendChild(note);
      });
      node.hidden = !words && !notes.length;
    }
    listeners.forEach(function (listener) { listener(waiting); });
  }
  function note(text) {
    notes.push(text);
  }

  // ------------------------------------------------------------------ sending

  var waiting = {}; // item id -> callbacks of the page that is waiting for its answer
  var flushing = false;

  function answer(id, outcome) {
    var callbacks = waiting[id] || [];
    delete waiting[id];
    callbacks.forEach(function (callback) { callback(outcome); });
    return callbacks.length > 0;
  }
  function remember(id, json) {
    var answers = read(ANSWERS, []);
    answers = answers.filter(function (a) { return a.id !== id; });
    answers.push({ id: id, json: json });
    write(ANSWERS, answers.slice(-KEEP_ANSWERS));
  }
  function remembered(id) {
    return read(ANSWERS, []).filter(function (a) { return a.id === id; })[0] || null;
  }
  function drop(test) {
    write(QUEUE, queue().filter(function (item) { return !test(item); }));
  }

  // One write: {ok, json} for an answer, {later: true} to try again, {refused, status, json} otherwise.
  function sendOne(item) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = window.setTimeout(function () {
      if (controller) {
        controller.abort();
      }
    }, TIMEOUT);
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "error",
      headers: {
        "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": pageToken() || item.token
      },
      body: JSON.stringify(item.body),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (json) {
        window.clearTimeout(timer);
        var status = response.status;
        if (status >= 200 && status < 300 && json && json.id) {
          return { ok: true, status: status, json: json };
        }
        if (status >= 500 || status === 429 || status === 408 || !json) {
          return { later: true };
        }
        return { refused: true, status: status, json: json };
      });
    }).catch(function () {
      window.clearTimeout(timer);
      return { later: true };
    });
  }

  function message(outcome) {
    return (outcome.json && outcome.json.error && outcome.json.error.message) || "";
  }

  function flush() {
    if (flushing) {
      return;
    }
    var items = queue();
    if (!items.length) {
      showStatus();
      return;
    }
    if (navigator.onLine === false) {
      stalled = true;
      items.forEach(function (queued) { answer(queued.id, { later: true }); });
      showStatus();
      return; // the "online" event sends them
    }
    flushing = true;
    var item = items[0];
    sendOne(item).then(function (outcome) {
      flushing = false;
      if (outcome.later) {
        // Not sent: everything stays queued, in order. Whoever waits carries on from this phone.
        stalled = true;
        queue().forEach(function (queued) { answer(queued.id, { later: true }); });
        showStatus();
        return;
      }
      if (outcome.ok) {
        sentHere = sentHere || stalled;
        drop(function (queued) { return queued.id === item.id; });
        remember(item.id, outcome.json);
        answer(item.id, outcome);
      } else {
        var code = outcome.json && outcome.json.error && outcome.json.error.code;
        var wholeSession = item.kind === "start" || outcome.status === 404;
        // Finishing a session the server has already ended (or that waits for a re-check) changes nothing.
        var quiet = item.kind === "finish" && (code === "ended" || code === "recheck_pending");
        drop(function (queued) {
          return queued.id === item.id || (wholeSession && queued.session === item.session);
        });
        var heard = answer(item.id, outcome);
        if (!quiet && !heard) {
          note((wholeSession ? "Your session done on this phone could not be saved. "
            : "One of your answers could not be saved. ") + message(outcome));
        }
        if (quiet) {
          sentHere = sentHere || stalled;
        }
      }
      showStatus();
      flush();
    });
  }

  // Queue a write and send the queue. ``done`` gets {ok, json} when the server answered, {later: true}
  // when it is kept on this phone for later, or {refused, status, json} when the server refused it.
  function add(item, done) {
    var known = remembered(item.id);
    if (known) {
      done({ ok: true, status: 200, json: known.json });
      return;
    }
    var items = queue();
    if (!items.some(function (queued) { return queued.id === item.id; })) {
      item.token = item.token || pageToken();
      item.made = Date.now();
      items.push(item);
      write(QUEUE, items);
    }
    if (done) {
      (waiting[item.id] = waiting[item.id] || []).push(done);
    }
    showStatus();
    if (!flushing) {
      flush(); // else the running flush reaches it in turn
    }
  }

  function has(sessionId) {
    return queue().some(function (item) { return item.session === sessionId; });
  }

  window.backhomeOutbox = {
    add: add,
    flush: flush,
    has: has,
    size: function () { return queue().length; },
    remembered: remembered,
    onChange: function (listener) { listeners.push(listener); }
  };

  // ------------------------------------------------------------------ when to send

  window.addEventListener("online", flush);
  window.setInterval(function () {
    if (queue().length) {
      flush();
    }
  }, EVERY);
  window.addEventListener("storage", function (event) {
    if (event.key === QUEUE) {
      showStatus(); // another tab sent or queued something
    }
  });
  stalled = queue().length > 0;
  document.addEventListener("DOMContentLoaded", function () {
    showStatus();
    flush();
  });

  if ("serviceWorker" in navigator && me && me.dataset.worker) {
    navigator.serviceWorker.register(me.dataset.worker, { scope: "/" }).catch(function () {
      /* no offline copy: the pages still work online */
    });
  }
})();
