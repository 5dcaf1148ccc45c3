// The reminders page: a "copy" button for the calendar address, and, before the first save, the
// browser's own time zone chosen in the list (the page works the same without this file).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var said = document.getElementById("copied");
      navigator.clipboard.writeText(field.value).then(function () {
        if (said) { said.textContent = "The address is copied. Paste it into your calendar app."; }
      }, function () {
        field.select();
        if (said) { said.textContent = "Select the address and copy it."; }
      });
    });
  });
  var guess = document.querySelector("[data-zone-guess]");
  var select = document.getElementById("id_time_zone");
  if (guess && select && window.Intl && Intl.DateTimeFormat) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (zone && known && select.value !== zone) {
      select.value = zone;
      guess.textContent = "We chose " + zone.replace(/_/g, " ") + ", the time zone of this device. Change it if it is wrong.";
      guess.hidden = false;
    }
  }
})();
