// The queue of visit reports saved without a connection (IndexedDB), shared by the pages
// (static/js/offline.js) and the service worker (/sw.js, for Background Sync).
//
// An item is one submitted log form: { key (its submission key), url, visitId, user,
// entries: [[name, value]] (a file as {blob, name}), csrf, queuedAt, state, message }.
// state "waiting" is sent when there is a connection; the server stores a key once and
// answers a repeat with success, so sending twice never makes two logs. A refusal
// (4xx: the visit was cancelled, the form was wrong) keeps the item as "refused" with
// the server's message until the senior discards it.
(function (root) {
  "use strict";
  const DB_NAME = "seniorene-offline";
  const STORE = "reports";

  function open() {
    return new Promise(function (resolve, reject) {
      const request = root.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run fn(store) in one transaction; resolves with what fn's request gave, when committed.
  function withStore(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(STORE, mode);
        const request = fn(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() { return withStore("readonly", function (s) { return s.getAll(); }); }
  function put(item) { return withStore("readwrite", function (s) { return s.put(item); }); }
  function remove(key) { return withStore("readwrite", function (s) { return s.delete(key); }); }
  function clear() { return withStore("readwrite", function (s) { return s.clear(); }); }

  // Send one item. Resolves with {outcome: "sent" | "refused" | "wait" | "login", ...}.
  function send(item, csrf) {
    const body = new FormData();
    item.entries.forEach(function (entry) {
      const value = entry[1];
      if (entry[0] === "csrfmiddlewaretoken") return; // the header carries a fresh one
      if (value && typeof value === "object") body.append(entry[0], value.blob, value.name);
      else body.append(entry[0], value);
    });
    const headers = {
      "Accept": "application/json",
      "X-CSRFToken": csrf || item.csrf,
      "X-Offline-Queue": "1",
    };
    return root.fetch(item.url, {
      method: "POST", body: body, headers: headers, credentials: "same-origin", redirect: "manual",
    }).then(function (response) {
      // A redirect: the session ended (login); keep the report until the senior is back.
      if (response.type === "opaqueredirect") return { outcome: "login" };
      if (response.ok) return { outcome: "sent" };
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        return { outcome: "wait" };
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {
          outcome: "refused",
          status: response.status,
          message: data.error || "",
          confirm: data.confirm || "", // a question the senior can answer yes to (many hours)
        };
      });
    }, function () {
      return { outcome: "wait" }; // no connection
    });
  }

  // Send every waiting item of `user`, one at a time; stops at the first "no connection".
  // options: {user, csrf, worker}. Resolves with a summary {sent, refused, waiting, login}.
  function flushNow(options) {
    const summary = { sent: 0, refused: 0, waiting: 0, login: false };
    return all().then(function (items) {
      const mine = items.filter(function (i) {
        return i.state === "waiting" && (!options.user || i.user === options.user);
      });
      let chain = Promise.resolve(true);
      mine.forEach(function (item) {
        chain = chain.then(function (goOn) {
          if (!goOn) { summary.waiting += 1; return false; }
          return send(item, options.csrf).then(function (result) {
            if (result.outcome === "sent") { summary.sent += 1; return remove(item.key).then(function () { return true; }); }
            // In the worker a 403 may be a stale CSRF token: the next page load tries again.
            if (result.outcome === "refused" && !(options.worker && result.status === 403)) {
              summary.refused += 1;
              item.state = "refused";
              item.status = result.status;
              item.message = result.message;
              item.confirm = result.confirm;
              return put(item).then(function () { return true; });
            }
            summary.waiting += 1;
            if (result.outcome === "login") summary.login = true;
            return result.outcome !== "wait" && result.outcome !== "login";
          });
        });
      });
      return chain.then(function () { return summary; });
    });
  }

  // One sender at a time across the pages and the worker (the server is idempotent
  // anyway; this keeps a refusal from racing a success).
  function flush(options) {
    if (root.navigator && root.navigator.locks) {
      return root.navigator.locks.request("seniorene-offline-flush", function () {
        return flushNow(options);
      });
    }
    return flushNow(options);
  }

  root.SenioreneQueue = { all: all, put: put, remove: remove, clear: clear, flush: flush };
})(self);
