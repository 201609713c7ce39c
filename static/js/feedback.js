// Feedback sessions: keyboard-fast attendance and the per-kind timers of the facilitation console.
// The console works without this file; it only adds shortcuts and timers.
(function () {
  "use strict";

  var KEYS = { p: "present", l: "late", a: "absent" };
  var LIST = ".attendance-rows";

  // The attendance list is one composite widget: a single Tab stop (roving tabindex), up and down
  // arrows (Page Up/Down by ten, Home/End) move between people, left and right change the
  // choice (the radio group's own behaviour, which saves the row through htmx), and P / L / A
  // tick present, late or absent and move on to the next person. Each person's group is named
  // with their department and location, so a screen reader says who is who.
  function rowsOf(list) { return Array.prototype.slice.call(list.querySelectorAll(".attendance-row")); }

  function stopOf(row) {
    return row.querySelector("input[type=radio]:checked") || row.querySelector("input[type=radio]");
  }

  function rove(list, radio) {
    list.querySelectorAll("input[type=radio]").forEach(function (r) { r.tabIndex = -1; });
    if (radio) { radio.tabIndex = 0; }
  }

  function initList(list) {
    var active = document.activeElement;
    if (active && active.type === "radio" && list.contains(active)) { rove(list, active); return; }
    var current = list.querySelector("input[type=radio][tabindex='0']");
    var rows = rowsOf(list);
    rove(list, current && list.contains(current) ? current : (rows.length ? stopOf(rows[0]) : null));
  }

  function moveTo(list, row) {
    if (!row) { return; }
    var radio = stopOf(row);
    rove(list, radio);
    radio.focus();
  }

  var MOVES = {
    ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10, Home: -Infinity, End: Infinity
  };

  function onAttendanceKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var row = event.target.closest && event.target.closest(".attendance-row");
    var list = row && row.closest(LIST);
    if (!list) { return; }
    var rows = rowsOf(list);
    var index = rows.indexOf(row);
    if (event.key in MOVES) {
      event.preventDefault();
      var step = MOVES[event.key];
      var next = Math.max(0, Math.min(rows.length - 1, index + (isFinite(step) ? step : step * rows.length)));
      moveTo(list, rows[next]);
      return;
    }
    var value = KEYS[(event.key || "").toLowerCase()];
    var radio = value && row.querySelector("input[type=radio][value=" + value + "]");
    if (!radio) { return; }
    event.preventDefault();
    if (!radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (rows[index + 1]) { moveTo(list, rows[index + 1]); } else { rove(list, radio); }
  }

  function onFocusIn(event) {
    var list = event.target.closest && event.target.closest(LIST);
    if (list && event.target.type === "radio") { rove(list, event.target); }
  }

  // The board's mark buttons belong to one form (one CSRF token for the whole board); with
  // JavaScript a press sends just that button to its contribution's URL and swaps its card in place.
  function onMarkClick(event) {
    var button = event.target.closest && event.target.closest("#console-marks button[formaction]");
    if (!button || !window.htmx) { return; }
    event.preventDefault();
    var values = {};
    values[button.name] = button.value;
    window.htmx.ajax("POST", button.getAttribute("formaction"), {
      source: button, target: button.closest("article"), swap: "outerHTML", values: values
    });
  }

  function initAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var lists = Array.prototype.slice.call(scope.querySelectorAll(LIST));
    var own = scope.closest && scope.closest(LIST);
    if (own) { lists.push(own); }
    lists.forEach(initList);
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
  document.addEventListener("focusin", onFocusIn);
  document.addEventListener("click", onMarkClick);
  // A saved row, a page of the list or a search result comes back from the server without the
  // roving tabindex: set it again on whatever htmx swapped in.
  document.addEventListener("htmx:load", function (event) { initAll(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".feedback-timer").forEach(bindTimer);
    initAll(document);
  });
})();
