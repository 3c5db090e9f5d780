// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // A page waiting for something (a card payment's confirmation) looks again every few seconds; without this
  // script, its "Check again" link does the same.
  document.querySelectorAll("[data-reload-after]").forEach(function (element) {
    var seconds = parseInt(element.getAttribute("data-reload-after"), 10) || 2;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  });

  // Time zones: put the one the device uses first (it may report an older name, kept in data-also), and
  // preselect it where the page asks for the person's own zone and nobody has chosen yet.
  document.querySelectorAll("select[data-timezone-list]").forEach(function (select) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    var found = null;
    for (var i = 0; i < select.options.length; i++) {
      var option = select.options[i];
      if (option.value === zone || option.getAttribute("data-also") === zone) { found = option; break; }
    }
    if (!found) return;
    var group = document.createElement("optgroup");
    group.label = "Your device's time zone";
    var chosen = select.value;
    group.appendChild(found);  // moved, not copied: the list keeps one option per zone
    select.insertBefore(group, select.firstChild);
    select.value = chosen;
    if (!select.hasAttribute("data-browser-timezone") || select.closest(".field--error")) return;
    var before = select.value;
    select.value = found.value;
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

// Parts of a form that matter only for one answer (data-shown-if="field=value", e.g. the new client's name when
// "A new client" is chosen) are hidden otherwise. Without this file they all show, and the server ignores them.
(function () {
  "use strict";
  var parts = document.querySelectorAll("[data-shown-if]");
  if (!parts.length) return;
  function valueOf(form, name) {
    var field = form.elements[name];  // a select, or a RadioNodeList: both have the chosen value
    return field ? field.value : null;
  }
  function update() {
    parts.forEach(function (part) {
      var rule = part.getAttribute("data-shown-if").split("=");
      var form = part.closest("form");
      var values = rule[1].split("|");
      part.hidden = form && values.indexOf(valueOf(form, rule[0])) === -1 && !part.querySelector(".field--error");
    });
  }
  document.addEventListener("change", update);
  update();
})();
