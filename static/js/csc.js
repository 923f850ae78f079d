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
     never swapped into the page: what was typed stays;
   - typing in a form inside [data-presence-scope] tells the page's presence
     poll (form[data-presence]) that this person is replying, until a minute
     passes without typing;
   - a key pressed outside a field acts on the element with that
     [data-shortcut]: a <details> opens with its first field focused, a link
     is followed (the "next ticket" link skips the ticket on screen, the
     search link focuses the page's search field when there is one); `?`
     opens #shortcut-help, listing the page's own keys too. */
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
  document.addEventListener("htmx:beforeRequest", function (event) {
    // A queue's periodic refresh waits while tickets are ticked for a bulk action,
    // so the choice is not lost; a refresh after the action itself goes ahead.
    var elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-poll-keeps-choices")) { return; }
    var config = event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    if (trigger && trigger.type === "queue-changed") { return; }
    if (elt.querySelector("input[type=checkbox]:checked")) { event.preventDefault(); }
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
  var REPLYING_FOR_MS = 60000;
  var lastTyped = 0;
  function presenceState(state) {
    var poll = document.querySelector("form[data-presence]");
    if (!poll) { return; }
    var field = poll.querySelector("input[name=state]");
    if (field.value === state) { return; }
    field.value = state;
    if (window.htmx) { window.htmx.trigger(poll, "presence-changed"); }
  }
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.closest || !target.closest("[data-presence-scope] form")) { return; }
    lastTyped = Date.now();
    presenceState("replying");
  });
  window.setInterval(function () {
    if (lastTyped && Date.now() - lastTyped > REPLYING_FOR_MS) {
      lastTyped = 0;
      presenceState("viewing");
    }
  }, 5000);
  function typingIn(element) {
    return element && element.closest &&
      (element.isContentEditable || element.closest("input, textarea, select, [contenteditable]"));
  }
  function showShortcuts() {
    var dialog = document.getElementById("shortcut-help");
    if (!dialog || dialog.open) { return; }
    var list = dialog.querySelector("[data-shortcut-page]");
    list.textContent = "";
    var listed = {};
    document.querySelectorAll("main [data-shortcut]").forEach(function (element) {
      // A key offered by several parts of the page (each text box's macros) is listed once.
      if (listed[element.getAttribute("data-shortcut")]) { return; }
      listed[element.getAttribute("data-shortcut")] = true;
      var item = document.createElement("li");
      var key = document.createElement("kbd");
      key.textContent = element.getAttribute("data-shortcut");
      item.appendChild(key);
      item.appendChild(document.createTextNode(" " + (element.getAttribute("data-shortcut-label") || element.textContent.trim())));
      list.appendChild(item);
    });
    dialog.showModal();
  }
  function useShortcut(element) {
    if (element.tagName === "DETAILS") {
      element.open = true;
      var field = element.querySelector("textarea, input:not([type=hidden]), select");
      if (field) { field.focus(); }
      element.scrollIntoView({ block: "nearest" });
      return;
    }
    if (element.hasAttribute("data-shortcut-macro")) {
      // The macros of the text box being written (its panel open), else of the first
      // one: focus the first macro; Enter inserts it, Tab moves to the next.
      var picker = document.querySelector("details[open] [data-shortcut-macro]") || element;
      var details = picker.closest("details");
      if (details) { details.open = true; }
      var first = picker.querySelector(".wt-macro");
      if (first) { first.focus(); }
      return;
    }
    if (element.hasAttribute("data-shortcut-search")) {
      var search = document.querySelector("main input[type=search], #desk-q");
      if (search) { search.focus(); search.select(); return; }
    }
    if (element.hasAttribute("data-shortcut-next")) {
      var onTicket = window.location.pathname.match(/^\/tickets\/(\d+)\/$/);
      window.location.href = element.getAttribute("href") + (onTicket ? "?after=" + onTicket[1] : "");
      return;
    }
    element.click();
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape" && typingIn(event.target)) { event.target.blur(); return; }
    if (typingIn(event.target)) { return; }
    if (event.key === "?") { event.preventDefault(); showShortcuts(); return; }
    var dialog = document.getElementById("shortcut-help");
    var scope = dialog && dialog.open ? dialog : document;
    var found = null;
    scope.querySelectorAll("[data-shortcut]").forEach(function (element) {
      if (!found && element.getAttribute("data-shortcut") === event.key) { found = element; }
    });
    if (!found) { return; }
    event.preventDefault();
    if (dialog && dialog.open) { dialog.close(); }
    useShortcut(found);
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.matches && target.matches("[data-enter-keeps-form]")) {
      event.preventDefault();
    }
  });
  // The main navigation's menus: one open at a time; a click elsewhere or Esc closes it.
  function closeMenus(except) {
    document.querySelectorAll("details[data-navgroup][open]").forEach(function (menu) {
      if (menu !== except) { menu.open = false; }
    });
  }
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.matches && menu.matches("details[data-navgroup]") && menu.open) { closeMenus(menu); }
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details[data-navgroup]")) { closeMenus(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });
}());
