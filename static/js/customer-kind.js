// The customer form shows only the fields of the chosen kind (customers.forms.KIND_FIELDS).
// Without JavaScript every field shows and the server ignores those that do not apply.
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "";
    form.querySelectorAll("[data-kinds]").forEach(function (group) {
      var kinds = group.getAttribute("data-kinds").split(" ");
      group.hidden = kinds.indexOf(kind) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-customer-kind-form]");
    if (!form) return;
    var note = document.querySelector("[data-kind-note]");
    if (note) note.hidden = true;
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") update(form);
    });
    update(form);
  });
})();
