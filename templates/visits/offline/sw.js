// Seniorene Omsorg service worker (served from /sw.js by visits.views.offline).
// It keeps, for a senior without a connection: the agenda, the coming visits' pages and
// their log forms (network first, the copy on the phone when the network fails or is slow),
// the static files, and a friendly page for anything else. Never a non-GET, never another
// page, never a redirect (to the login). Reports saved offline wait in IndexedDB
// (offline-queue.js) and are sent on Background Sync as well as by the pages.
"use strict";
const CONFIG = {{ config|safe }};
importScripts(CONFIG.queueScript);

const PAGES = "seniorene-pages";
const STATIC = "seniorene-static-" + CONFIG.version;
const TIMEOUT_MS = 3000; // network first, but a slow network falls back to the copy
const FRESH_MS = 5 * 60 * 1000; // a prefetched page younger than this is not fetched again
const PAGE_PATTERNS = CONFIG.pages.map(function (p) { return new RegExp(p); });

function isOfflinePage(path) {
  return PAGE_PATTERNS.some(function (re) { return re.test(path); });
}

function pageKey(url) {
  const u = new URL(url);
  return u.origin + u.pathname;
}

// A response worth keeping: a whole page, ours, not a redirect, not an error.
function keepable(response) {
  return response && response.status === 200 && response.type === "basic" && !response.redirected
    && (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

// The app's shell: static files and the offline page (fetched without the session, so
// it holds nothing of the person). Again after a logout cleared it, at the next login.
function precache() {
  return caches.open(STATIC).then(function (cache) {
    const offline = new Request(CONFIG.offline, { credentials: "omit" });
    return cache.addAll(CONFIG.static).then(function () { return cache.add(offline); });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(precache().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("seniorene-static-") === 0 && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// Fetch a page and keep a copy; a redirect (the session ended) drops the old copy.
function fetchAndKeep(request) {
  return fetch(request).then(function (response) {
    const key = pageKey(request.url);
    if (keepable(response)) {
      const copy = response.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(key, copy); });
    } else if (response.type === "opaqueredirect" || response.redirected
               || response.status === 403 || response.status === 404) {
      caches.has(PAGES).then(function (has) {
        return has ? caches.open(PAGES).then(function (cache) { return cache.delete(key); }) : null;
      });
    }
    return response;
  });
}

function cachedPage(url) {
  return caches.match(pageKey(url), { cacheName: PAGES, ignoreVary: true });
}

// The kept offline page; after a logout cleared everything, a plain one.
function offlinePage() {
  return caches.match(CONFIG.offline, { ignoreVary: true, ignoreSearch: true }).then(function (page) {
    if (page) return page;
    const t = CONFIG.texts;
    const esc = function (s) { return s.replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); };
    const html = "<!DOCTYPE html><html lang=\"" + esc(t.lang) + "\"><head><meta charset=\"utf-8\">"
      + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + esc(t.title)
      + "</title></head><body><main><h1>" + esc(t.heading) + "</h1><p>" + esc(t.body) + "</p></main></body></html>";
    return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
  });
}

// Network first with a short timeout; the phone's copy if the network is slow or away.
function networkFirst(request) {
  return new Promise(function (resolve) {
    let done = false;
    function finish(response) { if (!done && response) { done = true; resolve(response); } }
    const network = fetchAndKeep(request);
    const timer = setTimeout(function () {
      cachedPage(request.url).then(finish); // the network still updates the copy later
    }, TIMEOUT_MS);
    network.then(function (response) {
      clearTimeout(timer);
      finish(response);
    }, function () {
      clearTimeout(timer);
      cachedPage(request.url).then(function (copy) {
        if (copy) return finish(copy);
        return offlinePage().then(finish);
      });
    });
  });
}

// Other pages: the network; without it the start page falls back to the agenda, the
// rest to the offline page (never the browser's error page).
function networkOrOffline(request) {
  return fetch(request).catch(function () {
    const path = new URL(request.url).pathname;
    const start = CONFIG.home.indexOf(path) !== -1 ? cachedPage(new URL(CONFIG.agenda, request.url).href) : Promise.resolve(null);
    return start.then(function (copy) {
      return copy || offlinePage();
    });
  });
}

// Static files: the copy at once, refreshed in the background (hashed names in production).
// After a logout cleared the caches, only the network (until a senior's page precaches).
function staticFile(request) {
  return caches.has(STATIC).then(function (kept) {
    return kept ? caches.open(STATIC) : null;
  }).then(function (cache) {
    if (!cache) return fetch(request);
    return cache.match(request, { ignoreVary: true }).then(function (copy) {
      const network = fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
      if (copy) { network.catch(function () {}); return copy; }
      return network;
    });
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return; // posts go to the server untouched
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(CONFIG.staticPrefix) === 0) {
    event.respondWith(staticFile(request));
  } else if (isOfflinePage(url.pathname)) {
    event.respondWith(networkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkOrOffline(request));
  }
});

// The agenda asks to keep the coming visits' pages and log forms.
function prefetch(urls) {
  return caches.open(PAGES).then(function (cache) {
    return urls.filter(function (u) {
      return isOfflinePage(new URL(u, self.location.origin).pathname);
    }).reduce(function (chain, u) {
      const key = pageKey(new URL(u, self.location.origin).href);
      return chain.then(function () {
        return cache.match(key, { ignoreVary: true });
      }).then(function (copy) {
        const age = copy ? Date.now() - Date.parse(copy.headers.get("Date") || "") : Infinity;
        if (age < FRESH_MS) return null;
        return fetchAndKeep(new Request(key, { credentials: "same-origin" })).catch(function () {});
      });
    }, Promise.resolve());
  });
}

function clearAll() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("seniorene-") === 0; })
      .map(function (name) { return caches.delete(name); }));
  });
}

self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type === "prefetch" && Array.isArray(data.urls)) event.waitUntil(prefetch(data.urls));
  if (data.type === "clear") event.waitUntil(clearAll());
  if (data.type === "precache") {
    event.waitUntil(caches.has(STATIC).then(function (has) { return has ? null : precache(); }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "seniorene-send-reports") {
    event.waitUntil(self.SenioreneQueue.flush({ worker: true }));
  }
});
