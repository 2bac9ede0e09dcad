// The Bli kjent form saves itself while the senior types: every field goes to the server's
// draft, and a copy of every field is kept on the phone (localStorage, per interview and
// user) so that nothing typed without a connection is lost. The status says what is true:
// "Lagrer…", "Lagret kl. …", or "Uten nett – lagret på telefonen, sendes når du har nett".
// The copy is restored on load when it is newer than the server's draft, sent when the
// phone is back online, and removed when the form is submitted.
(function () {
  "use strict";
  const form = document.querySelector("form[data-autosave-key]");
  if (!form || !window.fetch) return;
  const status = document.getElementById("save-status");
  const key = "autosave:" + form.dataset.autosaveKey;
  const url = form.dataset.autosaveUrl;
  const serverSaved = Date.parse(form.dataset.draftSaved || "") || 0;
  const maxAge = 14 * 24 * 3600 * 1000;
  let timer = null;
  let sending = false;
  let again = false;
  // A send that failed on the way (a dropped connection, a server error) is tried again
  // by itself, sooner first: on a poor mobile connection the senior may type nothing
  // more, and the draft should still reach the server.
  let retry = null;
  let retryDelay = 2000;
  const maxRetryDelay = 60000;

  function tryAgainLater() {
    window.clearTimeout(retry);
    retry = window.setTimeout(send, retryDelay);
    retryDelay = Math.min(retryDelay * 2, maxRetryDelay);
  }

  function say(text) {
    if (status && text) status.textContent = text;
  }

  function storage() {
    try {
      return window.localStorage || null;
    } catch (error) {
      return null;
    }
  }

  function read() {
    const store = storage();
    try {
      return store ? JSON.parse(store.getItem(key) || "null") : null;
    } catch (error) {
      return null;
    }
  }

  function write(copy) {
    const store = storage();
    try {
      if (store) store.setItem(key, JSON.stringify(copy));
    } catch (error) {
      // Storage full or disabled: the server's draft still applies.
    }
  }

  function fieldsOf() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit"
        && el.type !== "button" && el.type !== "hidden";
    });
  }

  function snapshot() {
    const values = {};
    fieldsOf().forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (!(el.name in values)) values[el.name] = "";
        if (el.checked) values[el.name] = el.value;
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function restore(values) {
    fieldsOf().forEach(function (el) {
      if (!(el.name in values)) return;
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values[el.name] === el.value;
      } else {
        el.value = values[el.name];
      }
    });
  }

  function send() {
    const copy = read();
    if (!copy || !copy.pending) return;
    if (sending) {
      again = true;
      return;
    }
    if (navigator.onLine === false) {
      say(status.dataset.offline);
      return;
    }
    sending = true;
    say(status.dataset.saving);
    const body = new FormData(form);
    body.delete("action");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    }).then(function (response) {
      return response.text().then(function (text) {
        if (response.ok) {
          const now = read();
          // Typed again while this was on its way: that copy is still to be sent.
          if (now && now.savedAt === copy.savedAt) {
            now.pending = false;
            write(now);
          }
          retryDelay = 2000;
          say(text.trim());
        } else if (response.status >= 500) {
          say(status.dataset.offline); // kept on the phone; tried again below
          tryAgainLater();
        } else {
          say(text.trim()); // the form's own answer (a field to check): not sent again
        }
      });
    }).catch(function () {
      say(status.dataset.offline);
      tryAgainLater();
    }).then(function () {
      sending = false;
      if (again) {
        again = false;
        send();
      }
    });
  }

  function changed(delay) {
    write({ savedAt: Date.now(), pending: true, values: snapshot() });
    if (navigator.onLine === false) {
      say(status.dataset.offline);
      return;
    }
    say(status.dataset.saving);
    window.clearTimeout(timer);
    timer = window.setTimeout(send, delay);
  }

  // On load: the phone's copy wins when it is newer than the server's draft.
  const copy = read();
  if (copy && Date.now() - (copy.savedAt || 0) > maxAge) {
    storage().removeItem(key);
  } else if (copy && copy.values && (copy.pending || copy.savedAt > serverSaved)) {
    restore(copy.values);
    if (copy.pending) {
      say(navigator.onLine === false ? status.dataset.offline : status.dataset.restored);
      send();
    }
  }

  form.addEventListener("input", function () { changed(1200); });
  form.addEventListener("change", function () { changed(300); });
  window.addEventListener("online", send);

  form.addEventListener("submit", function (event) {
    if (navigator.onLine === false) {
      event.preventDefault(); // nothing would arrive; the copy stays on the phone
      say(status.dataset.offlineSubmit);
      return;
    }
    window.clearTimeout(timer);
    const store = storage();
    if (store) store.removeItem(key);
  });
})();
