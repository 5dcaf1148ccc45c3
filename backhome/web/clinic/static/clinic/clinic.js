// Clinic pages: print an invitation, copy its link. Everything works without this file too.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print], [data-copy]") : null;
    if (!target) return;
    if (target.hasAttribute("data-print")) {
      window.print();
      return;
    }
    var text = target.getAttribute("data-copy") || "";
    var status = document.querySelector(".copied");
    var done = function (message) {
      if (status) status.textContent = message;
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(
        function () { done("The link is copied."); },
        function () { done("Copying did not work: select the link and copy it."); }
      );
    } else {
      done("Copying did not work: select the link and copy it.");
    }
  });
})();
