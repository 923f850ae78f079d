/* Page behaviour that would otherwise be inline script, which the
   Content-Security-Policy forbids (script-src 'self', htmx without eval):
   - <select data-autosubmit> submits its form when a choice is made;
   - [data-enter-keeps-form] keeps Enter from submitting the form it is in;
   - [data-announce-change="event"] tells the page (an htmx event on <body>)
     when anything inside it changes;
   - [data-insert-text="id"][data-insert-into="selector"] puts the text of the
     element with that id into the field (opening the <details> it is in);
   - [data-copy-text="id"] copies the text of the element with that id, and
     shows data-done-label for a moment;
   - an htmx request that fails without an answer to swap (a server error, no
     connection) says so in #htmx-error, and a whole page sent as an error is
     never swapped into the page: what was typed stays. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    if (target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
    var announcer = target.closest("[data-announce-change]");
    if (announcer && window.htmx) {
      window.htmx.trigger(document.body, announcer.getAttribute("data-announce-change"));
    }
  });
  function textOf(id) {
    var source = document.getElementById(id);
    return source ? source.textContent.trim() : "";
  }
  function copy(text, button) {
    var done = function () {
      var label = button.getAttribute("data-done-label");
      if (!label) { return; }
      var before = button.textContent;
      button.textContent = label;
      window.setTimeout(function () { button.textContent = before; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
      return;
    }
    var scratch = document.createElement("textarea");
    scratch.value = text;
    scratch.setAttribute("readonly", "");
    scratch.style.position = "fixed";
    scratch.style.opacity = "0";
    document.body.appendChild(scratch);
    scratch.select();
    try { if (document.execCommand("copy")) { done(); } } finally { scratch.remove(); }
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var insert = target.closest("[data-insert-text]");
    if (insert) {
      var field = document.querySelector(insert.getAttribute("data-insert-into"));
      var text = textOf(insert.getAttribute("data-insert-text"));
      if (!field) { copy(text, insert); return; }
      var details = field.closest("details");
      if (details) { details.open = true; }
      field.value = field.value.trim() ? field.value.replace(/\s*$/, "\n") + text : text;
      field.focus();
      field.dispatchEvent(new Event("input", { bubbles: true }));
      return;
    }
    var copier = target.closest("[data-copy-text]");
    if (copier) { copy(textOf(copier.getAttribute("data-copy-text")), copier); }
  });
  function errorBanner() { return document.getElementById("htmx-error"); }
  function showError(message) {
    var banner = errorBanner();
    if (!banner || !message) { return; }
    var box = document.createElement("div");
    box.className = "flash flash-error htmx-error";
    box.setAttribute("role", "alert");
    var line = document.createElement("p");
    line.textContent = message;
    box.appendChild(line);
    banner.replaceChildren(box);
  }
  function isWholeDocument(text) {
    return /^\s*<(!doctype|html)/i.test(text || "");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    // A person's next action clears the message; a poll or a load does not.
    var config = event.detail.requestConfig;
    var banner = errorBanner();
    if (banner && config && config.triggeringEvent instanceof Event) { banner.replaceChildren(); }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && isWholeDocument(xhr.responseText)) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      var banner = errorBanner();
      showError(banner && banner.getAttribute("data-server-error"));
    }
  });
  document.addEventListener("htmx:responseError", function () {
    var banner = errorBanner();
    if (banner && !banner.firstChild) { showError(banner.getAttribute("data-server-error")); }
  });
  document.addEventListener("htmx:sendError", function () {
    var banner = errorBanner();
    showError(banner && banner.getAttribute("data-network-error"));
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.matches && target.matches("[data-enter-keeps-form]")) {
      event.preventDefault();
    }
  });
}());
