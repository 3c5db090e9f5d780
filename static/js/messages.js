// Messages: new messages appear without a reload, saved replies go in at the cursor, and a file that is too
// large is caught before it is sent. The page works without this file (reload to see new messages).
(function () {
  "use strict";

  var list = document.getElementById("messages");
  if (list && list.dataset.updatesUrl && !list.hasAttribute("data-older-page")) {
    var newest = parseInt(list.dataset.newestId || "0", 10) || 0;
    var every = (parseInt(list.dataset.pollSeconds || "15", 10) || 15) * 1000;
    var busy = false;

    var markRead = function (upTo) {
      list.querySelectorAll("[data-status-for]").forEach(function (status) {
        if (parseInt(status.dataset.statusFor, 10) <= upTo) status.textContent = "Read";
      });
    };

    var poll = function () {
      if (busy || document.hidden) return;
      busy = true;
      var url = list.dataset.updatesUrl + "?after=" + encodeURIComponent(String(newest));
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          (data.messages || []).forEach(function (message) {
            if (message.id <= newest || document.getElementById("message-" + message.id)) return;
            // The server renders each message with the page's own template, every value escaped.
            var holder = document.createElement("template");
            holder.innerHTML = message.html.trim();
            var item = holder.content.firstElementChild;
            if (!item) return;
            item.classList.add("msg--new");
            list.insertBefore(item, list.firstElementChild);
            newest = Math.max(newest, message.id);
          });
          if (typeof data.other_read_up_to === "number") markRead(data.other_read_up_to);
          var empty = document.querySelector(".thread .empty");
          if (empty && list.children.length) empty.hidden = true;
        })
        .catch(function () { /* offline for a moment: the next poll tries again */ })
        .then(function () { busy = false; });
    };

    window.setInterval(poll, every);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  }

  var composer = document.getElementById("composer");
  if (!composer) return;
  var text = composer.querySelector("textarea");

  // A saved reply goes in where the cursor is, without reloading the page (and losing chosen files).
  var insert = composer.querySelector("[data-insert-reply]");
  var select = composer.querySelector("select[name=saved_reply]");
  if (insert && select && text) {
    insert.addEventListener("click", function (event) {
      var option = select.options[select.selectedIndex];
      if (!option || !option.dataset.text) return;
      event.preventDefault();
      var start = text.selectionStart, end = text.selectionEnd, before = text.value.slice(0, start);
      var gap = before && !/\n\s*$/.test(before) ? "\n\n" : "";
      text.value = before + gap + option.dataset.text + text.value.slice(end);
      var caret = (before + gap + option.dataset.text).length;
      text.focus();
      text.setSelectionRange(caret, caret);
      select.selectedIndex = 0;
    });
  }

  // Too many files or too large a file: say so beside the field before uploading megabytes for nothing.
  var files = composer.querySelector("input[type=file]");
  if (files) {
    var maxBytes = parseInt(composer.dataset.maxBytes, 10), maxFiles = parseInt(composer.dataset.maxFiles, 10);
    var problem = function () {
      if (files.files.length > maxFiles) return "Attach at most " + maxFiles + " files to one message.";
      for (var i = 0; i < files.files.length; i++) {
        if (files.files[i].size > maxBytes) {
          return "“" + files.files[i].name + "” is larger than " + Math.round(maxBytes / 1048576) + " MB. Please choose a smaller file.";
        }
      }
      return "";
    };
    var show = function (message) {
      var field = files.closest(".field");
      var note = field.querySelector("[data-client-error]");
      if (!note) {
        note = document.createElement("p");
        note.className = "field__error";
        note.setAttribute("role", "alert");
        note.setAttribute("data-client-error", "");
        files.parentNode.insertBefore(note, files);
      }
      note.textContent = message;
      note.hidden = !message;
      field.classList.toggle("field--error", Boolean(message));
    };
    files.addEventListener("change", function () { show(problem()); });
    composer.addEventListener("submit", function (event) {
      var message = problem();
      if (message) { event.preventDefault(); show(message); files.focus(); }
    });
  }
})();
