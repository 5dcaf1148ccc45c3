// backhome's service worker (docs/web-session.md, "Offline"). Served from /sw.js by
// backhome.web.practice.worker, which fills in CONFIG: the pages to keep (the session player and the
// plan), public pages (what to do in an emergency), the static files they use, the addresses whose POST
// means another person may use this browser next (log in, log out, delete), and a version made from the
// contents of all of these, so a new release makes a new worker and a new cache.
//
// Pages: network first, the kept copy when the network fails (offline, a server error, or no answer in
// PAGE_WAIT ms). A kept copy of the player is marked data-source="cache", so the player knows that its
// local state is newer than the page. Static files: cache first (the version covers their contents);
// the "lazy" ones (the camera coach's model) are kept when first used, never at install.
// It decides nothing and sends nothing: the player's writes wait in its own outbox (offline.js).
"use strict";

var CONFIG = {/* filled in by backhome.web.practice.worker */};
var PREFIX = "backhome-";
var CACHE = PREFIX + (CONFIG.version || "dev");
var PAGE_WAIT = 8000;

function list(name) {
  return CONFIG[name] || [];
}

function keepPages(cache) {
  // Best effort: a page that cannot be fetched now is kept the next time it is opened.
  return Promise.all(list("pages").concat(list("public")).map(function (path) {
    return fetch(path, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
      return response.status === 200 ? cache.put(path, response) : null;
    }).catch(function () { return null; });
  }));
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(list("assets")).then(function () { return keepPages(cache); });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// Another person may use this browser next: forget the kept pages (they hold the last person's plan).
function forgetPages() {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(list("pages").map(function (path) { return cache.delete(path); }));
  });
}

// The kept copy, marked as such for the player (the body is already decoded: drop the encoding headers).
function fromCache(kept) {
  return kept.text().then(function (body) {
    var headers = new Headers(kept.headers);
    headers.delete("Content-Encoding");
    headers.delete("Content-Length");
    return new Response(body.replace('data-source="network"', 'data-source="cache"'), {
      status: kept.status, statusText: kept.statusText, headers: headers
    });
  });
}

function offlinePage() {
  var css = list("assets").filter(function (path) { return /site\.css$/.test(path); })[0] || "";
  var links = list("pages").concat(list("public")).map(function (path) {
    return '<li><a href="' + path + '">' + ({ "/session/": "Today's session", "/plan/": "Your plan", "/emergency/": "What to do in an emergency" }[path] || path) + "</a></li>";
  }).join("");
  var body = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>You are offline · backhome</title>" + (css ? '<link rel="stylesheet" href="' + css + '">' : "") +
    '</head><body><main id="main" class="page"><h1>You are offline</h1>' +
    "<p>This page is not saved on this phone. These pages are, if you have opened them before:</p>" +
    "<ul>" + links + "</ul></main></body></html>";
  return new Response(body, {
    status: 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'self'; base-uri 'none'; object-src 'none'"
    }
  });
}

function page(event, path) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path).then(function (kept) {
      var network = fetch(event.request).then(function (response) {
        if (response.status === 200 && response.type === "basic" && !response.redirected) {
          event.waitUntil(cache.put(path, response.clone()));
        } else if (response.status < 500) {
          event.waitUntil(cache.delete(path)); // a redirect or a refusal: the kept copy is out of date
        }
        return response;
      });
      if (!kept) {
        return network.catch(offlinePage);
      }
      var waited = new Promise(function (resolve) {
        setTimeout(function () { resolve(null); }, PAGE_WAIT);
      });
      return Promise.race([network.catch(function () { return null; }), waited]).then(function (response) {
        return response && response.status < 500 ? response : fromCache(kept);
      });
    });
  });
}

function asset(event) {
  return caches.match(event.request, { cacheName: CACHE, ignoreSearch: true }).then(function (hit) {
    return hit || fetch(event.request).then(function (response) {
      if (response.status === 200) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(event.request, copy); }));
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST") {
    if (list("forget").indexOf(url.pathname) >= 0) {
      event.waitUntil(forgetPages());
    }
    return; // every write goes to the network as it is
  }
  if (request.method !== "GET") {
    return;
  }
  var kept = list("pages").concat(list("public"));
  if (kept.indexOf(url.pathname) >= 0 && !url.search) {
    event.respondWith(page(event, url.pathname));
  } else if (list("assets").indexOf(url.pathname) >= 0 || list("lazy").indexOf(url.pathname) >= 0) {
    event.respondWith(asset(event));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));
  }
});
