// Reflections: save the draft when the author leaves the writing page. The page works without this:
// htmx saves on idle, and the "Save draft" button always works.
(function () {
  "use strict";
  var form = document.getElementById("reflection-form");
  if (!form || !form.dataset.autosaveUrl) { return; }
  var url = form.dataset.autosaveUrl;
  var dirty = false;
  var submitting = false;

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });
  // An htmx autosave that succeeded means what is on the page is stored.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful && event.detail.pathInfo &&
        event.detail.pathInfo.requestPath === url) {
      dirty = false;
    }
  });

  function saveNow() {
    if (!dirty || submitting) { return; }
    var data = new FormData(form);
    data.delete("action");
    var sent = false;
    if (navigator.sendBeacon) {
      // sendBeacon cannot set headers; the CSRF token travels in the form data.
      sent = navigator.sendBeacon(url, data);
    }
    if (!sent && window.fetch) {
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(url, {
        method: "POST",
        body: data,
        keepalive: true,
        credentials: "same-origin",
        headers: token ? { "X-CSRFToken": token.value } : {}
      });
    }
    dirty = false;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveNow(); }
  });
  window.addEventListener("pagehide", saveNow);
})();
