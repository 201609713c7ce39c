// Knowledge cafés: keep keyboard focus on the agenda button just used after htmx swaps the list.
// Every page works without this file (the buttons then post a form and the page reloads).
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target ? event.detail.target : event.target;
    var root = target && target.isConnected ? target : document;
    var focus = document.querySelector("[data-cafes-focus]") || (root.querySelector && root.querySelector("[data-cafes-focus]"));
    if (focus) { focus.focus(); }
  });
})();
