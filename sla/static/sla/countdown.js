/* Live SLA countdowns: every [data-sla-due] badge counts down and turns red at its due time.
   Texts come from the script tag's data attributes (translated by the server). Elements
   swapped in by htmx are picked up because each tick queries the page afresh. */
(function () {
  "use strict";
  if (window.cscSlaCountdown) { return; }
  window.cscSlaCountdown = true;
  var script = document.currentScript;
  var text = function (name, fallback) {
    return (script && script.getAttribute("data-" + name)) || fallback;
  };
  var fill = function (template, values) {
    return template.replace(/%\((\w)\)(02)?d/g, function (_, key, pad) {
      var value = String(values[key]);
      return pad && value.length < 2 ? "0" + value : value;
    });
  };
  var compact = function (ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d) { return fill(text("text-days", "%(d)d d %(h)d h"), { d: d, h: h }); }
    if (h) { return fill(text("text-hours", "%(h)d h %(m)02d min"), { h: h, m: m }); }
    return fill(text("text-minutes", "%(m)d min"), { m: m });
  };
  var tick = function () {
    var now = Date.now();
    document.querySelectorAll("[data-sla-due]").forEach(function (badge) {
      var state = badge.getAttribute("data-sla-state");
      if (state !== "on_time" && state !== "at_risk" && state !== "breached") { return; }
      var left = Date.parse(badge.getAttribute("data-sla-due")) - now;
      var countdown = badge.querySelector(".sla-countdown");
      if (left <= 0 && state !== "breached") {
        badge.setAttribute("data-sla-state", "breached");
        badge.classList.remove("badge-ok", "badge-warn");
        badge.classList.add("badge-bad");
        var label = badge.querySelector(".sla-label");
        if (label) { label.textContent = text("label-breached", "Breached"); }
      }
      if (countdown) {
        if (Math.abs(left) < 60000) {
          // "0 min left" says nothing: under a minute is said as such.
          countdown.textContent = left > 0
            ? text("text-under-minute-left", "under 1 min left")
            : text("text-under-minute-late", "under 1 min late");
          return;
        }
        var template = left > 0 ? text("text-left", "%(time)s left") : text("text-late", "late by %(time)s");
        countdown.textContent = template.replace("%(time)s", compact(left));
      }
    });
  };
  tick();
  window.setInterval(tick, 1000);
}());
