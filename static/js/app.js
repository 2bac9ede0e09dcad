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
