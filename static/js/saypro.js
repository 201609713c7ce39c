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

// After an htmx swap that replaced the focused element, keyboard focus would fall to <body> and a
// screen reader would hear nothing. This puts focus on the new control and says what changed, for
// every swap: the swapped-in markup names the control with data-swap-focus (else the element that
// has the old one's id, else its first control) and the message with data-swap-announce (else the
// text of its role="status"). Swaps that leave focus where it was (polling, other regions) are
// left alone.
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";
  var lost = null;
  var region = null;

  function announcer() {
    if (!region || !region.isConnected) {
      region = document.createElement("div");
      region.id = "swap-announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function announce(text) {
    var live = announcer();
    live.textContent = "";
    // A change after a moment is announced even when the same words come twice.
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function usable(el) {
    return el && el.isConnected && el.getClientRects().length > 0 && !el.closest("[hidden], [inert]");
  }

  function pick(root) {
    var candidates = [];
    if (root.matches && root.matches("[data-swap-focus]")) { candidates.push(root); }
    candidates = candidates.concat(Array.prototype.slice.call(root.querySelectorAll("[data-swap-focus]")));
    if (lost.id) { candidates.push(document.getElementById(lost.id)); }
    candidates = candidates.concat(Array.prototype.slice.call(root.querySelectorAll(FOCUSABLE)));
    for (var i = 0; i < candidates.length; i++) {
      if (usable(candidates[i])) { return candidates[i]; }
    }
    // Nothing to operate in the new content: its first element takes focus, so reading resumes there.
    if (root.nodeType === 1 && usable(root)) {
      if (!root.hasAttribute("tabindex")) { root.setAttribute("tabindex", "-1"); }
      return root;
    }
    return null;
  }

  function message(root) {
    function find(selector) {
      return root.matches(selector) ? root : root.querySelector(selector);
    }
    var marked = find("[data-swap-announce]");
    if (marked) { return marked.getAttribute("data-swap-announce"); }
    var status = find("[role=status]");
    return status ? status.textContent.replace(/\s+/g, " ").trim() : "";
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var active = document.activeElement;
    lost = target && active && active !== document.body && target.contains(active) ? { id: active.id } : null;
  });

  // htmx:afterSettle fires on each element the swap put in the page (the new one for outerHTML).
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!lost) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { lost = null; return; }
    var root = event.target && event.target.nodeType === 1 && event.target.isConnected ? event.target : document.body;
    var next = pick(root);
    var text = message(root);
    lost = null;
    if (next) { next.focus(); }
    if (text) { announce(text); }
  });

  document.addEventListener("DOMContentLoaded", announcer);
})();


// A table wider than the screen scrolls inside its .table-responsive box. Keyboard users can only
// scroll what they can focus, and a screen reader announces a focused box by its name: so a box
// that scrolls is a focusable region named by its table's caption (or the heading before it), and
// one that fits is left out of the Tab order. Checked again when the window's width changes.
(function () {
  "use strict";
  var counter = 0;

  function headingBefore(el) {
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      for (var sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) {
        var heading = sib.matches("h1, h2, h3, h4, h5, h6") ? sib : sib.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading) { return heading; }
      }
    }
    return null;
  }

  function labelWith(box, el) {
    if (!el.id) { counter += 1; el.id = "scroll-label-" + counter; }
    box.setAttribute("aria-labelledby", el.id);
  }

  function mark(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (!scrolls) {
      if (box.dataset.scrollRegion) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        delete box.dataset.scrollRegion;
      }
      return;
    }
    if (box.dataset.scrollRegion) { return; }
    box.dataset.scrollRegion = "1";
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      var caption = box.querySelector("caption");
      var named = caption || headingBefore(box);
      if (named) { labelWith(box, named); } else { box.setAttribute("aria-label", "Table"); }
    }
  }

  function markAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".table-responsive").forEach(mark);
  }

  document.addEventListener("DOMContentLoaded", function () { markAll(document); });
  document.addEventListener("htmx:load", function (e) { markAll(e.target.parentElement || document); });
  window.addEventListener("resize", function () { markAll(document); });
})();
