// SayPro Share Learnings: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Live word count for any textarea with data-word-limit; the server enforces the limit.
  function countWords(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }
  function bindWordCounts(root) {
    root.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
      if (area.dataset.wordCountBound) { return; }
      area.dataset.wordCountBound = "1";
      var limit = parseInt(area.dataset.wordLimit, 10);
      var out = document.createElement("div");
      out.className = "form-text word-count";
      out.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", out);
      function update() {
        var n = countWords(area.value);
        out.textContent = n + " of " + limit + " words";
        out.classList.toggle("text-danger", n > limit);
      }
      area.addEventListener("input", update);
      update();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bindWordCounts(document); });
  document.addEventListener("htmx:load", function (e) { bindWordCounts(e.target); });
})();
