// Follows a running task's log on its page: asks for the lines after the last
// one shown, appends them, and updates the state until the task ends. Without
// JavaScript the page reloads itself instead (a <noscript> refresh).
(function () {
  "use strict";
  var log = document.getElementById("log");
  if (!log || log.dataset.live !== "1") return;
  var task = log.dataset.task;
  var after = parseInt(log.dataset.after, 10) || 0;
  // Every 100 ms while lines come (the executor posts them at most 50 ms
  // after they were printed), backing off to 2 s while none do.
  var delay = 100;

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  // A time as the server shows it (time.js), or the text when it is not loaded.
  function setTime(id, utc) {
    var el = document.getElementById(id);
    if (!el) return;
    var shown = el.querySelector("time");
    if (!utc) { el.textContent = ""; return; }
    if (shown && shown.title === utc + " UTC") return;
    el.textContent = "";
    el.appendChild(window.aegirTime ? window.aegirTime.element(utc) : document.createTextNode(utc));
  }

  function poll() {
    fetch("/tasks/" + task + "/log?after=" + after, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var empty = document.getElementById("log-empty");
        if (data.lines.length && empty) empty.remove();
        data.lines.forEach(function (l) {
          var span = document.createElement("span");
          span.className = "line";
          span.dataset.seq = l.seq;
          span.textContent = l.text;
          log.appendChild(span);
          log.appendChild(document.createTextNode("\n"));
          after = l.seq;
        });
        var state = document.getElementById("task-state");
        if (state && state.textContent !== data.state) {
          state.textContent = data.state;
          state.className = "badge " + data.state;
        }
        setTime("task-started", data.started_at);
        setTime("task-finished", data.finished_at);
        setText("task-exit", data.exit_code === null ? "" : String(data.exit_code));
        if (data.final) {
          // Reload once so the reason and the final facts come from the server.
          window.location.reload();
          return;
        }
        delay = data.lines.length ? 100 : Math.min(delay * 1.5, 2000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, delay);
})();
