// Feedback sessions: keyboard-fast attendance and the per-kind timers of the facilitation console.
// The console works without this file; it only adds shortcuts and timers.
(function () {
  "use strict";

  var KEYS = { p: "present", l: "late", a: "absent" };

  // In the attendance list, P / L / A tick present, late or absent for the focused person
  // and move on to the next person, so a whole room is recorded without the mouse.
  function onAttendanceKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var value = KEYS[(event.key || "").toLowerCase()];
    var row = event.target.closest && event.target.closest(".attendance-row");
    if (!value || !row) { return; }
    var radio = row.querySelector("input[type=radio][value=" + value + "]");
    if (!radio) { return; }
    event.preventDefault();
    var rows = Array.prototype.slice.call(document.querySelectorAll(".attendance-row"));
    var next = rows[rows.indexOf(row) + 1];
    if (!radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (next) {
      var target = next.querySelector("input[type=radio]:checked") || next.querySelector("input[type=radio]");
      if (target) { target.focus(); }
    }
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function bindTimer(box) {
    if (box.dataset.timerBound) { return; }
    box.dataset.timerBound = "1";
    var button = box.querySelector("[data-timer-start]");
    var display = box.querySelector("[data-timer-display]");
    var status = box.querySelector("[data-timer-status]");
    var minutes = parseInt(box.dataset.timerMinutes, 10) || 10;
    var label = box.dataset.timerLabel || "Time";
    var startText = button.textContent;
    var handle = null;
    var endsAt = 0;

    function stop(message) {
      window.clearInterval(handle);
      handle = null;
      button.textContent = startText;
      button.setAttribute("aria-pressed", "false");
      if (message) { status.textContent = message; }
    }

    function tick() {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      display.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      display.classList.toggle("text-danger", left <= 60);
      if (left === 60) { status.textContent = label + ": one minute left."; }
      if (left === 0) { stop(label + ": time is up."); }
    }

    button.addEventListener("click", function () {
      if (handle) {
        stop(label + " timer stopped.");
        display.textContent = "";
        return;
      }
      endsAt = Date.now() + minutes * 60 * 1000;
      button.textContent = "Stop timer";
      button.setAttribute("aria-pressed", "true");
      status.textContent = label + ": " + minutes + " minutes started.";
      tick();
      handle = window.setInterval(tick, 1000);
    });
  }

  document.addEventListener("keydown", onAttendanceKey);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".feedback-timer").forEach(bindTimer);
  });
})();
