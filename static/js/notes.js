// Autosave for a draft note: sends the form (with its CSRF token and the revision it is based on) a moment
// after she stops typing, and when the tab is hidden or closed. Without this file the form still saves
// with its buttons. A 409 means another tab saved a newer version: this tab stops saving and says so. A 401 means
// her session ended (logged out, or idle too long): the text stays on screen, the page says to log in again in
// another tab, and saving carries on by itself once she has. A button pressed meanwhile saves through this
// script first, so a logged-out press never leaves the page (and its text) for the login page.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var url = form.getAttribute("data-autosave");
  var status = form.querySelector("[data-autosave-status]");
  var conflict = form.querySelector("[data-autosave-conflict]");
  var revision = form.querySelector("input[name=revision]");
  var loggedOutBox = form.querySelector("[data-autosave-logged-out]");
  var timer = null, dirty = false, saving = false, stopped = false, submitting = null, loggedOut = false;

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("autosave-status--error", !!isError);
  }

  function stop(message) {
    stopped = true;
    window.clearTimeout(timer);
    if (conflict) {
      conflict.querySelector("[data-autosave-conflict-text]").textContent = message;
      conflict.hidden = false;
      conflict.scrollIntoView({block: "center"});
    }
    say("Not saved: a newer version exists.", true);
  }

  function showLoggedOut(message) {
    if (loggedOutBox && !loggedOut) {  // the first answer says why; later ones only know that she is logged out
      loggedOutBox.querySelector("[data-autosave-logged-out-text]").textContent = message;
      loggedOutBox.hidden = false;
      loggedOutBox.scrollIntoView({block: "center"});
    }
    loggedOut = true;
    say("Not saved: you are logged out. Your text is still here.", true);
  }

  function clearLoggedOut() {
    loggedOut = false;
    if (loggedOutBox) loggedOutBox.hidden = true;
  }

  function save(keepalive) {
    if (!dirty || saving || stopped) return;
    saving = true;
    dirty = false;
    say("Saving…");
    fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin", keepalive: !!keepalive,
                headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (body) { return {code: response.status, body: body}; },
                                    function () { return {code: response.status, body: {}}; });
      })
      .then(function (result) {
        var body = result.body;
        if (body.ok) {
          clearLoggedOut();
          revision.value = body.revision;
          say("Draft saved at " + body.saved_at);
        } else if (result.code === 401) {
          dirty = true;
          showLoggedOut(body.error || "You are logged out.");
        } else if (result.code === 409) {
          stop(body.error || "A newer version of this note was saved elsewhere.");
        } else {
          dirty = true;
          say(body.error || "Not saved yet (you may have been logged out). Use Save draft.", true);
        }
      })
      .catch(function () {
        dirty = true;
        say("Not saved: no connection. Trying again…", true);
      })
      .then(function () {
        saving = false;
        if (submitting && loggedOut) {  // the press is dropped, not sent to a login page with her text
          submitting = null;
        }
        if (submitting) {  // she pressed a button while a save was on its way: send the form now
          var choice = document.createElement("input");
          choice.type = "hidden";
          choice.name = submitting.name;
          choice.value = submitting.value;
          form.appendChild(choice);
          form.submit();
        } else if (dirty && !stopped) {
          schedule(loggedOut ? 15000 : 5000);
        }
      });
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("input", function () {
    if (stopped) return;
    dirty = true;
    say("Changes not saved yet…");
    schedule(1500);
  });

  // Signing can't be undone: ask first (in the capture phase, before other scripts mark the button busy).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("data-confirm") && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    window.clearTimeout(timer);
    if (saving || dirty || loggedOut) {  // save through the script first: the form carries that save's revision
      event.preventDefault();
      submitting = button || {name: "action", value: "save"};
      if (!saving) {
        dirty = true;
        save();
      }
      return;
    }
    stopped = true;  // the form itself carries everything from here
  });

  // Closing or leaving the tab: send what is unsaved (keepalive lets the request finish after the page).
  window.addEventListener("pagehide", function () { save(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save(true);
  });
})();
