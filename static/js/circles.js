// Circles: small progressive enhancements for the officer's round page. Every page works without this file.
(function () {
  "use strict";
  // Ask before a form with data-confirm does something that e-mails people or replaces circles.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
