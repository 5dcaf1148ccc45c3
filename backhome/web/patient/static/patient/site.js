// Progressive enhancement only: every page works without this file.
// 1. A screening form is sent once, even if the button is tapped twice.
// 2. After a failed submit, the error summary takes the focus so a screen reader reads it first.
(function () {
  "use strict";
  document.querySelectorAll("form.step").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (form.dataset.sent) {
        return;
      }
      form.dataset.sent = "1";
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
