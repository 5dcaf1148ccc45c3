// The self-check's timers. Progressive enhancement only: without this file the step's text still says how
// long to stay in a position, and "Next" works as before. No animation: a number that counts down, and
// one announcement for screen readers when the time is up.
(function () {
  "use strict";

  function face(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  document.querySelectorAll(".timer[data-seconds]").forEach(function (timer) {
    var total = parseInt(timer.dataset.seconds, 10);
    var shown = timer.querySelector(".timer-face");
    var status = timer.querySelector(".timer-status");
    var button = timer.querySelector(".timer-start");
    var first = button.textContent;
    var tick = null;
    if (!total || !shown || !status || !button) {
      return;
    }

    function stop() {
      window.clearInterval(tick);
      tick = null;
      timer.classList.remove("running");
    }

    function start() {
      var end = Date.now() + total * 1000;
      stop();
      timer.classList.add("running");
      timer.classList.remove("done");
      status.textContent = "The timer has started.";
      shown.textContent = face(total);
      button.textContent = button.dataset.again || first;
      tick = window.setInterval(function () {
        var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
        shown.textContent = face(left);
        if (left === 0) {
          stop();
          timer.classList.add("done");
          status.textContent = "Time is up. Press Next when you are ready.";
        }
      }, 250);
    }

    button.addEventListener("click", start);
    timer.hidden = false;
  });
})();
