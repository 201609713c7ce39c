/* The periodic task admin form: show the chosen crontab in words under the field
   (django-celery-beat does this with an inline script, which our CSP blocks). */
(function () {
  "use strict";
  const data = document.getElementById("readable-crontabs");
  const select = document.getElementById("id_crontab");
  if (!data || !select) return;
  const readable = JSON.parse(data.textContent);
  const row = select.closest(".form-row, .field-crontab") || select.parentElement;
  const help = row.querySelector(".help");
  const original = help ? help.textContent : "";
  const translation = document.querySelector(".field-crontab_translation");
  if (translation) translation.hidden = true;
  function update() {
    if (!help) return;
    const words = readable[select.value];
    help.textContent = words ? original + " — " + words : original;
  }
  select.addEventListener("change", update);
  update();
})();
