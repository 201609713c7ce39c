// Impact report: the month picker jumps to the chosen month (the list of links works without it).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var picker = document.querySelector("[data-report-month-picker]");
    if (!picker) { return; }
    picker.addEventListener("change", function () { window.location.assign(picker.value); });
  });
})();
