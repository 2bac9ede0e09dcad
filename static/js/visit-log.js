// The visit log keeps a copy of what is typed in the phone's own storage, so nothing is
// lost when the connection drops before the server's draft (htmx autosave) is saved.
// A copy is restored only when it is newer than the server's draft, and kept two days.
(function () {
  "use strict";
  // Before the visit has started a report cannot be stored (the server refuses it): say
  // so at once, by the phone's clock, rather than after the report has waited for a network.
  const timed = document.querySelector("form[data-starts-at]");
  const early = document.querySelector("[data-not-started]");
  if (timed && early) {
    const startsAt = Date.parse(timed.dataset.startsAt) || 0;
    const check = function () {
      const waiting = Date.now() < startsAt;
      early.hidden = !waiting;
      timed.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = waiting;
      });
      if (waiting) window.setTimeout(check, Math.min(startsAt - Date.now() + 500, 60000));
    };
    check();
  }
})();

(function () {
  "use strict";
  const form = document.querySelector("form[data-draft-key]");
  if (!form || !window.localStorage) return;
  const key = "draft:" + form.dataset.draftKey;
  const serverSaved = Date.parse(form.dataset.draftSaved || "") || 0;
  const maxAge = 2 * 24 * 3600 * 1000;
  const fields = [
    "submission_key", "checked_in", "checked_out", "went_well", "could_change",
    "km", "expense_amount", "expense_description",
    // "Noe lederen bør vite": a radio group (RadioNodeList.value reads and sets the choice).
    "concern_category", "concern_text",
  ];

  function read(name) {
    try {
      return JSON.parse(window.localStorage.getItem(name) || "null");
    } catch (error) {
      return null;
    }
  }

  // Forget old copies (of visits logged long ago).
  for (let i = window.localStorage.length - 1; i >= 0; i -= 1) {
    const name = window.localStorage.key(i);
    const old = name && name.indexOf("draft:") === 0 ? read(name) : null;
    if (old && Date.now() - (old.savedAt || 0) > maxAge) window.localStorage.removeItem(name);
  }

  function save() {
    const data = { savedAt: Date.now(), values: {}, areas: [], share: false };
    fields.forEach(function (name) {
      const field = form.elements[name];
      if (field) data.values[name] = field.value;
    });
    form.querySelectorAll("input[name=done_areas]").forEach(function (box) {
      if (box.checked) data.areas.push(box.value);
    });
    const share = form.elements.share_with_relatives;
    data.share = Boolean(share && share.checked);
    try {
      window.localStorage.setItem(key, JSON.stringify(data));
    } catch (error) {
      // Storage full or disabled: the server's draft still applies.
    }
  }

  const copy = read(key);
  if (copy && copy.savedAt > serverSaved && Date.now() - copy.savedAt < maxAge) {
    fields.forEach(function (name) {
      const field = form.elements[name];
      if (field && typeof copy.values[name] === "string") field.value = copy.values[name];
    });
    form.querySelectorAll("input[name=done_areas]").forEach(function (box) {
      box.checked = copy.areas.indexOf(box.value) !== -1;
    });
    const share = form.elements.share_with_relatives;
    if (share && !share.disabled) share.checked = copy.share;
    if (copy.values.concern_category || copy.values.concern_text) {
      const concern = form.querySelector("details.concern-fields");
      if (concern) concern.open = true;
    }
    const status = document.getElementById("draft-status");
    if (status && form.dataset.restoredText) status.textContent = form.dataset.restoredText;
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
})();
