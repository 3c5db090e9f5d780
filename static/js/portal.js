// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Preselect the time zone the device uses, when the page offers it and nobody has chosen yet.
  document.querySelectorAll("select[data-browser-timezone]").forEach(function (select) {
    if (select.dataset.touched) return;
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || select.closest(".field--error")) return;
    var before = select.value;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; break; }
    }
    // A visitor's slot page: show the times in her own zone straight away, once.
    if (select.hasAttribute("data-autosubmit") && select.value !== before &&
        new URLSearchParams(window.location.search).get("tz") === null) {
      select.form.submit();
    }
  });

  // "Show" button beside password fields, for people typing on a phone.
  document.querySelectorAll("[data-toggle-password]").forEach(function (button) {
    var input = button.parentElement.querySelector("input");
    button.hidden = false;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.textContent = show ? "Hide" : "Show";
      button.setAttribute("aria-pressed", String(show));
    });
  });

  // Say that something is happening, and stop double submits, once a form is sent.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("[data-busy-label]");
      if (!button) return;
      window.setTimeout(function () {
        if (event.defaultPrevented) return;  // another script holds the form back (the notes autosave)
        button.disabled = true;
        button.textContent = button.dataset.busyLabel;
      }, 0);
    });
  });

  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
  // The practice's menu: folded on a phone until she opens it (without this file it stays open).
  if (window.matchMedia("(max-width: 47.99rem)").matches) {
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (menu) { menu.open = false; });
  }
})();
