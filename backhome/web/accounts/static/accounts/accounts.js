// Progressive enhancement only: every account page works without this file.
// 1. "Show the password" boxes appear (they need this script) and switch their field between hidden
//    and shown text.
// 2. An account form is sent once, even if its button is tapped twice.
(function () {
  "use strict";
  document.querySelectorAll("input[data-show-password]").forEach(function (box) {
    var field = document.getElementById(box.dataset.showPassword);
    var label = box.closest("label");
    if (!field || !label) {
      return;
    }
    label.hidden = false;
    box.addEventListener("change", function () {
      field.type = box.checked ? "text" : "password";
    });
  });
  document.querySelectorAll("form.account-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      // Sent as a password field, so the browser offers to remember it.
      form.querySelectorAll("input[data-show-password]").forEach(function (box) {
        var field = document.getElementById(box.dataset.showPassword);
        if (field) {
          field.type = "password";
        }
      });
    });
  });
  // Back to a page kept in the browser's memory: its forms can be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.account-form").forEach(function (form) {
      delete form.dataset.sent;
    });
  });
})();
