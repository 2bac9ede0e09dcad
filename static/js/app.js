// Seniorene Omsorg: small progressive enhancements. No inline handlers (CSP).
(function () {
  "use strict";

  // <form data-confirm="Er du sikker?"> asks before it is submitted.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const text = form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Busy state: after the first tap a POST form's submit buttons are disabled and the one
  // pressed says "Lagrer…", so a second tap sends no second request. Forms another script
  // submits itself (data-no-busy), htmx requests and cancelled submits are left alone.
  const BUSY_TEXT = "Lagrer…";

  function submitButtons(form) {
    return Array.prototype.slice.call(form.elements).filter(function (el) {
      return (el instanceof HTMLButtonElement && el.type === "submit")
        || (el instanceof HTMLInputElement && (el.type === "submit" || el.type === "image"));
    });
  }

  function setBusy(form, submitter) {
    form.setAttribute("data-busy", "");
    form.setAttribute("aria-busy", "true");
    submitButtons(form).forEach(function (button) {
      button.disabled = true;
      if (button !== submitter) return;
      button.setAttribute("aria-busy", "true");
      if (button instanceof HTMLButtonElement) {
        button.setAttribute("data-idle-html", button.innerHTML);
        button.textContent = BUSY_TEXT;
      } else if (button.type === "submit") {
        button.setAttribute("data-idle-value", button.value);
        button.value = BUSY_TEXT;
      }
    });
  }

  function clearBusy(form) {
    form.removeAttribute("data-busy");
    form.removeAttribute("aria-busy");
    submitButtons(form).forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      const html = button.getAttribute("data-idle-html");
      if (html !== null) {
        button.innerHTML = html;
        button.removeAttribute("data-idle-html");
      }
      const value = button.getAttribute("data-idle-value");
      if (value !== null) {
        button.value = value;
        button.removeAttribute("data-idle-value");
      }
    });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-no-busy")) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.target && form.target !== "_self") return;
    if (form.hasAttribute("data-busy")) {
      event.preventDefault(); // the first tap's request is on its way
      return;
    }
    if (event.defaultPrevented) return; // cancelled (data-confirm) or sent by htmx/JS
    const submitter = event.submitter || null;
    // The pressed button's name=value goes with the request: disable after the browser
    // has read the form, in the next task.
    form.setAttribute("data-busy", "");
    window.setTimeout(function () {
      if (event.defaultPrevented) {
        form.removeAttribute("data-busy"); // a later listener took the submit over
      } else if (form.hasAttribute("data-busy")) {
        setBusy(form, submitter);
      }
    }, 0);
  });

  // Back button (the page comes from the back/forward cache): the buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy]").forEach(clearBusy);
  });

  // <select data-autosubmit> submits its form when the choice changes.
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (!(field instanceof HTMLSelectElement) || !field.hasAttribute("data-autosubmit")) return;
    const form = field.form;
    if (!form) return;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(); // fires "submit", so data-confirm and htmx still apply
    } else {
      form.submit();
    }
  });
})();
