// Keeps the relative times ("3 min ago") of a page true while it stays
// open. The server writes them (the page reads well without JavaScript);
// this only redoes the same sums every 30 s from each <time datetime>.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function ago(iso) {
    var at = Date.parse(iso);
    if (isNaN(at)) return null;
    var s = Math.floor((Date.now() - at) / 1000);
    if (s < -60) {
      var ahead = -s;
      if (ahead < 3600) return "in " + Math.floor(ahead / 60) + " min";
      if (ahead < 6 * 3600) return "in " + Math.floor(ahead / 3600) + " h " + pad(Math.floor(ahead / 60) % 60) + " min";
      if (ahead < 48 * 3600) return "in " + Math.floor(ahead / 3600) + " h";
      return "on " + iso.slice(0, 10);
    }
    if (s < 10) return "just now";
    if (s < 60) return s + " s ago";
    if (s < 3600) return Math.floor(s / 60) + " min ago";
    if (s < 6 * 3600) return Math.floor(s / 3600) + " h " + pad(Math.floor(s / 60) % 60) + " min ago";
    if (s < 86400) return Math.floor(s / 3600) + " h ago";
    if (s < 2 * 86400) return "yesterday";
    if (s < 30 * 86400) return Math.floor(s / 86400) + " days ago";
    return "on " + iso.slice(0, 10);
  }
  function refresh(root) {
    var times = (root || document).querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var text = ago(times[i].getAttribute("datetime"));
      if (text !== null && times[i].textContent !== text) times[i].textContent = text;
    }
  }
  // For task.js: a <time> element for a UTC time "YYYY-MM-DD hh:mm:ss".
  function element(utc) {
    var t = document.createElement("time");
    t.setAttribute("datetime", utc.replace(" ", "T") + "Z");
    t.title = utc + " UTC";
    t.textContent = ago(utc.replace(" ", "T") + "Z") || utc;
    return t;
  }
  window.aegirTime = { refresh: refresh, element: element };
  setInterval(refresh, 30000);
})();
