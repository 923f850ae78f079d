/* Page behaviour that would otherwise be inline script, which the
   Content-Security-Policy forbids (script-src 'self', htmx without eval):
   - <select data-autosubmit> submits its form when a choice is made;
   - [data-enter-keeps-form] keeps Enter from submitting the form it is in;
   - [data-announce-change="event"] tells the page (an htmx event on <body>)
     when anything inside it changes. */
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
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.matches && target.matches("[data-enter-keeps-form]")) {
      event.preventDefault();
    }
  });
}());
