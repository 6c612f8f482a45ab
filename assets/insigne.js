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
