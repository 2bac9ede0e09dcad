// Seniorene Omsorg on the phone without a connection (with /sw.js and offline-queue.js).
//
// For a logged-in senior: registers the service worker; on the agenda asks it to keep the
// coming visits' pages and log forms; sends a visit log with fetch, and when there is no
// connection keeps it in the queue ("venter på nett") to send later, exactly once; shows
// what waits and what the server refused (with a way to discard it); scales receipt photos
// down before upload. Logging out clears the phone (asking first if reports wait); a
// logged-out page clears the kept pages. The texts come from templates/partials/offline_texts.html.
(function () {
  "use strict";
  const textsEl = document.getElementById("offline-texts");
  const queue = window.SenioreneQueue;
  if (!textsEl || !queue || !window.indexedDB) return;
  // The offline page is kept without the session: it must not read as "logged out".
  if (document.querySelector("[data-offline-page]")) return;
  const T = textsEl.dataset;
  const meta = document.querySelector("meta[name=offline-user]");
  const who = meta ? meta.content : "";
  const user = who.indexOf("senior:") === 0 ? who.slice(7) : "";
  const MAX_SIDE = 1600;
  const QUALITY = 0.85;
  const SYNC_TAG = "seniorene-send-reports";
  const hasWorker = "serviceWorker" in navigator;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function countText(n) {
    return n === 1 ? T.waitingOne : n + " " + T.waitingCount;
  }

  // ---------- Clearing the phone ----------

  function clearCaches() {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("seniorene-") === 0; })
        .map(function (n) { return caches.delete(n); }));
    });
  }

  function clearDrafts() {
    for (let i = window.localStorage.length - 1; i >= 0; i -= 1) {
      const name = window.localStorage.key(i);
      if (name && name.indexOf("draft:") === 0) window.localStorage.removeItem(name);
    }
  }

  function clearEverything() {
    clearDrafts();
    return Promise.all([clearCaches(), queue.clear()]).catch(function () {});
  }

  // Reports on this phone, as last read (null until read): logging out with none left
  // goes at once, and the logged-out page clears the kept pages.
  let knownCount = null;

  // Logout: say what would be lost, then clear the caches, the queue and the drafts.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented || !user) return;
    if (new URL(form.action, location.href).pathname !== T.logoutUrl) return;
    clearDrafts();
    if (knownCount === 0) { clearCaches().catch(function () {}); return; }
    event.preventDefault();
    queue.all().catch(function () { return []; }).then(function (items) {
      if (items.length && !window.confirm(T.logoutConfirm.replace("%(reports)s", countText(items.length)))) {
        return;
      }
      clearEverything().then(function () { HTMLFormElement.prototype.submit.call(form); });
    });
  });

  // ---------- What waits and what was refused ----------

  function refusedText(item) {
    if (item.message) return item.message;
    if (item.status === 404) return T.refused404;
    if (item.status === 403) return T.refused403;
    if (item.status === 413) return T.refused413;
    return T.refusedOther;
  }

  function renderRefused(item, box) {
    const card = el("div", "message message--error stack");
    card.setAttribute("role", "alert");
    const title = el("p");
    title.appendChild(el("strong", "", T.refusedTitle));
    if (item.recipient) title.appendChild(document.createTextNode(": " + item.recipient + (item.when ? ", " + item.when : "")));
    card.appendChild(title);
    card.appendChild(el("p", "", refusedText(item)));
    if (item.confirm) {
      // The server asks a question (hours far above the plan): "yes" sends it again.
      const yes = el("button", "button button--primary button--block", T.confirmSend);
      yes.type = "button";
      yes.addEventListener("click", function () {
        item.entries.push([item.confirm, "on"]);
        item.state = "waiting";
        item.confirm = "";
        queue.put(item).then(flush);
      });
      card.appendChild(yes);
    }
    const discard = el("button", "button", T.discard);
    discard.type = "button";
    discard.addEventListener("click", function () {
      if (!window.confirm(T.discardConfirm)) return;
      queue.remove(item.key).then(showQueue);
    });
    card.appendChild(discard);
    box.appendChild(card);
  }

  // The panel at the top of the agenda (and of a queued visit's log page), and the
  // "Venter på nett" badge on each waiting visit of the agenda.
  function showQueue() {
    return queue.all().then(function (all) {
      knownCount = all.length;
      const items = all.filter(function (i) { return !user || i.user === user; });
      const main = document.querySelector("main");
      const agenda = document.querySelector("[data-offline-agenda]");
      const logForm = document.querySelector("form[data-offline-log]");
      let box = document.getElementById("offline-queue");
      if (box) box.remove();
      document.querySelectorAll(".offline-badge").forEach(function (b) { b.remove(); });
      if (!main || (!agenda && !logForm)) return items;
      const shown = logForm ? items.filter(function (i) { return String(i.visitId) === logForm.dataset.visitId; }) : items;
      if (!shown.length) return items;
      box = el("div", "stack");
      box.id = "offline-queue";
      const waiting = shown.filter(function (i) { return i.state === "waiting"; });
      if (waiting.length) {
        const later = waiting.length === 1 ? T.waitingLater : T.waitingLaterMany;
        const note = el("p", "message message--warning", agenda ? countText(waiting.length) + ". " + later : T.waiting);
        note.setAttribute("role", "status");
        box.appendChild(note);
      }
      shown.filter(function (i) { return i.state === "refused"; }).forEach(function (i) { renderRefused(i, box); });
      const heading = main.querySelector("h1");
      if (heading) heading.after(box); else main.prepend(box);
      waiting.forEach(function (i) {
        const row = document.querySelector("[data-visit-id='" + i.visitId + "'] .agenda-visit__name");
        if (row) row.appendChild(el("span", "badge badge--warn offline-badge", T.waitingBadge));
      });
      if (logForm && waiting.length) hideLogForms(); // this visit's report is already waiting
      return items;
    }).catch(function () { return []; });
  }

  // ---------- Sending ----------

  function flush() {
    if (!user) return Promise.resolve();
    return queue.flush({ user: user, csrf: csrfToken() }).then(function (summary) {
      const agenda = document.querySelector("[data-offline-agenda]");
      if (summary.sent) {
        // "Rapporten er sendt" on the next page shown, whichever it is.
        window.sessionStorage.setItem("offline-sent", String(summary.sent));
        if (agenda || document.querySelector("form[data-offline-log]")) {
          // The server's agenda now shows the visit as logged.
          if (agenda) location.reload(); else location.assign(T.agendaUrl);
          return;
        }
      }
      showQueue();
    }).catch(function () {});
  }

  function askForSync() {
    if (!hasWorker) return;
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.sync ? reg.sync.register(SYNC_TAG) : null;
    }).catch(function () {});
  }

  // ---------- The visit log form ----------

  const buttonTexts = new Map();

  function hideLogForms() {
    document.querySelectorAll("form[data-offline-log]").forEach(function (form) {
      const holder = form.closest("details") || form;
      holder.hidden = true;
    });
    if (!document.getElementById("offline-back")) {
      const back = el("p", "actions");
      back.id = "offline-back";
      const link = el("a", "button button--primary button--block", T.back);
      link.href = T.agendaUrl;
      back.appendChild(link);
      const box = document.getElementById("offline-queue");
      if (box) box.after(back);
    }
  }

  function restoreButtons(form) {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.disabled = false;
      if (buttonTexts.has(b)) b.textContent = buttonTexts.get(b);
      b.removeAttribute("aria-busy");
    });
  }

  function showFormError(form, text) {
    restoreButtons(form);
    let note = form.querySelector(".offline-error");
    if (!note) {
      note = el("p", "message message--error offline-error");
      note.setAttribute("role", "alert");
      note.tabIndex = -1;
      form.prepend(note);
    }
    note.textContent = text;
    note.focus();
  }

  // A receipt photo is scaled so its long side is at most 1600 px (JPEG); anything else
  // (a PDF, a picture the phone cannot draw) is sent as it is.
  function scaled(file) {
    if (!(file instanceof File) || !file.size || file.type.indexOf("image/") !== 0
        || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file).then(function (bitmap) {
      const side = Math.max(bitmap.width, bitmap.height);
      if (side <= MAX_SIDE) { bitmap.close(); return file; }
      const ratio = MAX_SIDE / side;
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * ratio);
      canvas.height = Math.round(bitmap.height * ratio);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          const name = (file.name || "kvittering").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg" }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  function enqueue(form, data) {
    const entries = [];
    data.forEach(function (value, name) {
      if (value instanceof Blob) {
        if (value.size) entries.push([name, { blob: value, name: value.name || "kvittering.jpg" }]);
      } else {
        entries.push([name, value]);
      }
    });
    return queue.put({
      key: String(data.get("submission_key")),
      url: new URL(form.action, location.href).href,
      visitId: form.dataset.visitId,
      recipient: form.dataset.recipient || "",
      when: form.dataset.when || "",
      user: user,
      entries: entries,
      csrf: String(data.get("csrfmiddlewaretoken") || ""),
      queuedAt: Date.now(),
      state: "waiting",
    }).then(function () {
      askForSync();
      return showQueue();
    });
  }

  function submitLog(form, extra) {
    const data = new FormData(form);
    if (extra) data.set(extra, "on");
    const receipt = data.get("receipt");
    return scaled(receipt).then(function (file) {
      if (file !== receipt && file) data.set("receipt", file, file.name);
      return fetch(new URL(form.action, location.href).href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
      }).then(function (response) {
        if (response.ok) {
          return response.json().then(function (answer) { location.assign(answer.next || T.agendaUrl); });
        }
        if (response.type === "opaqueredirect" || response.status >= 500) return enqueue(form, data);
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (answer.confirm && !extra && window.confirm(answer.error)) {
            return submitLog(form, answer.confirm); // "Stemmer det?" – yes: send it again
          }
          showFormError(form, answer.error || refusedText({ status: response.status }));
        });
      }, function () {
        return enqueue(form, data); // no connection: keep it and send it later
      });
    }).catch(function () { showFormError(form, T.refusedOther); });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-offline-log")) return;
    if (event.defaultPrevented || !user) return;
    event.preventDefault();
    if (form.dataset.offlineBusy) return; // a second tap while the first is on its way
    form.dataset.offlineBusy = "1";
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      if (!buttonTexts.has(b)) buttonTexts.set(b, b.textContent);
      b.disabled = true;
      b.setAttribute("aria-busy", "true");
      b.textContent = T.saving;
    });
    submitLog(form).finally(function () { delete form.dataset.offlineBusy; });
  });

  // ---------- On every page load ----------

  if (!user) {
    // Logged out (or another role on this phone): the senior's pages leave the phone.
    clearCaches().catch(function () {});
    if (hasWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "clear" });
    }
    if (!who) {
      queue.all().then(function (items) {
        if (!items.length) return;
        const main = document.querySelector("main");
        const note = el("p", "message message--warning", countText(items.length) + ". " + T.loginAgain);
        note.setAttribute("role", "status");
        if (main) main.prepend(note);
      }).catch(function () {});
    }
    return;
  }

  const sent = window.sessionStorage.getItem("offline-sent");
  if (sent) {
    window.sessionStorage.removeItem("offline-sent");
    const main = document.querySelector("main h1");
    const note = el("p", "message message--success", T.sent);
    note.setAttribute("role", "status");
    if (main) main.after(note);
  }

  if (hasWorker) {
    navigator.serviceWorker.register(T.workerUrl, { scope: "/" }).catch(function () {});
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ type: "precache" }); // if a logout cleared it
    }).catch(function () {});
    const agenda = document.querySelector("[data-offline-agenda]");
    if (agenda && navigator.onLine) {
      const urls = [location.pathname];
      document.querySelectorAll("[data-offline-prefetch]").forEach(function (node) {
        node.getAttribute("data-offline-prefetch").split(/\s+/).forEach(function (u) { if (u) urls.push(u); });
      });
      navigator.serviceWorker.ready.then(function (reg) {
        if (reg.active) reg.active.postMessage({ type: "prefetch", urls: urls });
      });
    }
  }
  showQueue().then(flush);
  window.addEventListener("online", flush);
  // A connection that says "online" but carries nothing: try again now and then.
  window.setInterval(function () {
    queue.all().then(function (items) {
      if (items.some(function (i) { return i.state === "waiting" && i.user === user; })) flush();
    }).catch(function () {});
  }, 30000);
})();
