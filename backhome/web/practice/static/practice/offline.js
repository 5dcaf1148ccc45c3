// Offline support for the plan and the player (docs/web-session.md, "Offline"): registers the service
// worker; the outbox (player/outbox.js) with localStorage and fetch, sent at once, back online, when a
// page loads and every 30 s; the status line.
import { classify, createOutbox, keptIn, QUEUE, statusWords } from "./player/outbox.js";

const TIMEOUT = 15000;
const EVERY = 30000;

function pageToken() {
  const field = document.querySelector("[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

// One write over the network: classify()'s outcome, {later: true} for no answer within TIMEOUT.
function sendOne(item) {
  const controller = window.AbortController ? new AbortController() : null;
  const timer = window.setTimeout(() => {
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
  }).then((response) => response.json().catch(() => null).then((json) => {
    window.clearTimeout(timer);
    return classify(response.status, json);
  })).catch(() => {
    window.clearTimeout(timer);
    return { later: true };
  });
}

export const outbox = createOutbox({
  store: keptIn(() => window.localStorage),
  send: sendOne,
  online: () => navigator.onLine !== false,
  token: pageToken
});
// The browser tests look at the queue through this name.
window.backhomeOutbox = outbox;

// ------------------------------------------------------------------ status line

function statusNode(status) {
  let node = document.getElementById("sync-status");
  if (!node && (status.waiting || status.notes.length)) {
    const main = document.getElementById("main");
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

function showStatus(status) {
  const node = statusNode(status);
  if (!node || (status.waiting && !status.stalled)) {
    return; // a write on its way: no change until it is answered
  }
  const words = statusWords(status);
  node.replaceChildren();
  if (words) {
    const line = document.createElement("span");
    line.className = status.waiting ? "sync-waiting" : "sync-done";
    line.textContent = words;
    node.appendChild(line);
  }
  status.notes.forEach((text) => {
    const note = document.createElement("span");
    note.className = "sync-note";
    note.textContent = text;
    node.appendChild(note);
  });
  node.hidden = !words && !status.notes.length;
}
outbox.onChange(showStatus);

// ------------------------------------------------------------------ when to send

window.addEventListener("online", () => outbox.flush());
window.setInterval(() => {
  if (outbox.size()) {
    outbox.flush();
  }
}, EVERY);
window.addEventListener("storage", (event) => {
  if (event.key === QUEUE) {
    outbox.refresh(); // another tab sent or queued something
  }
});
document.addEventListener("DOMContentLoaded", () => {
  outbox.refresh();
  outbox.flush();
});

// A module has no document.currentScript: the tag that loads this file says where the worker is.
const me = document.querySelector("script[data-worker]");
if ("serviceWorker" in navigator && me && me.dataset.worker) {
  navigator.serviceWorker.register(me.dataset.worker, { scope: "/" }).catch(() => {
    /* no offline copy: the pages still work online */
  });
}
