// insigne public pages: small conveniences on top of pages that work without JavaScript.
// The buttons are hidden until this script shows them.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var field = document.querySelector(button.getAttribute("data-copy"));
    var said = document.querySelector(button.getAttribute("data-copied"));
    var done = function () { if (said) { said.textContent = button.getAttribute("data-copied-text"); } };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
    } else {
      field.select();
      document.execCommand("copy");
      done();
    }
  });
});
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
// A page following a running task (an import) reloads itself every second until it ends.
document.querySelectorAll("[data-refresh]").forEach(function (part) {
  window.setTimeout(function () { window.location.replace(part.getAttribute("data-refresh")); }, 1000);
});
// The badge editor's preview follows the form as one types, and shows a chosen image.
document.querySelectorAll("[data-preview-source]").forEach(function (field) {
  var shown = document.querySelector('[data-preview="' + field.getAttribute("data-preview-source") + '"]');
  if (!shown) { return; }
  field.addEventListener("input", function () { shown.textContent = field.value; });
});
document.querySelectorAll("[data-preview-image]").forEach(function (field) {
  var shown = document.querySelector('[data-preview="image"]');
  field.addEventListener("change", function () {
    var file = field.files && field.files[0];
    if (!file || !shown || !window.FileReader) { return; }
    var reader = new FileReader();
    reader.onload = function () { shown.src = reader.result; };
    reader.readAsDataURL(file);
  });
});
// The badge editor shows only the fields of the kind of rule chosen (all of them without
// JavaScript: the server ignores those of other kinds).
(function () {
  var kinds = document.querySelectorAll("input[name=rule_kind]");
  if (!kinds.length) { return; }
  var parts = document.querySelectorAll("[data-rule-for]");
  var show = function () {
    var chosen = document.querySelector("input[name=rule_kind]:checked");
    var kind = chosen ? chosen.value : "none";
    parts.forEach(function (part) {
      part.hidden = part.getAttribute("data-rule-for").split(" ").indexOf(kind) < 0;
    });
  };
  kinds.forEach(function (k) { k.addEventListener("change", show); });
  show();
})();
