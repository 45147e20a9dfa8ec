{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/sites">Sites</a> › <a href="/sites/{{SITE_ID}}">{{DOMAIN}}</a> ›</nav>
<h1>Schedules of {{DOMAIN}}</h1>
<p>A schedule runs an operation on this site again and again, as an ordinary task of the site. Times are UTC. A run is skipped, with the reason shown here, while the site is not enabled or while the schedule's previous run has not ended.</p>
{{#SITE_NOT_ENABLED}}<p class="warning" id="site-not-enabled">The site is {{STATUS}}: its schedules do not run until it is enabled.</p>{{/SITE_NOT_ENABLED}}
{{#NO_SCHEDULES}}<p class="empty">No schedules yet.</p>{{/NO_SCHEDULES}}
{{#HAS_SCHEDULES}}<table class="list" id="schedules">
<thead><tr><th scope="col">#</th><th scope="col">Operation</th><th scope="col">When</th><th scope="col">Backups kept</th><th scope="col">Next run</th><th scope="col">Last run</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
<tbody>
{{#SCHEDULE}}<tr id="schedule-{{ID}}"><td>{{ID}}</td><td>{{OPERATION}}</td><td>{{WHEN}}</td><td>{{KEEP}}</td><td class="next-run">{{#NEXT_RUN}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/NEXT_RUN}}{{#NOT_PLANNED}}—{{/NOT_PLANNED}}</td>
<td>{{#LAST_TASK}}<a href="/tasks/{{TASK_ID}}" class="last-task">task #{{TASK_ID}}</a> <span class="badge {{STATE}}">{{STATE}}</span> {{#RUN}}<small><time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time></small>{{/RUN}}{{/LAST_TASK}}{{#NEVER_RUN}}<span class="empty">not yet</span>{{/NEVER_RUN}}{{#MESSAGE}}<p class="warning schedule-message">{{TEXT}}</p>{{/MESSAGE}}</td>
<td>{{#ENABLED}}<span class="badge enabled">enabled</span>{{/ENABLED}}{{#DISABLED}}<span class="badge disabled">disabled</span>{{/DISABLED}}</td>
<td class="actions">{{#ENABLED}}<form method="post" action="/sites/{{SITE_ID}}/schedules/{{ID}}/run">
  <input type="hidden" name="csrf" value="{{CSRF}}"><button type="submit">Run now</button></form>
<form method="post" action="/sites/{{SITE_ID}}/schedules/{{ID}}/disable">
  <input type="hidden" name="csrf" value="{{CSRF}}"><button type="submit">Disable</button></form>{{/ENABLED}}{{#DISABLED}}<form method="post" action="/sites/{{SITE_ID}}/schedules/{{ID}}/enable">
  <input type="hidden" name="csrf" value="{{CSRF}}"><button type="submit">Enable</button></form>{{/DISABLED}}
<a class="button danger" href="/sites/{{SITE_ID}}/schedules/{{ID}}/delete">Delete…</a></td></tr>
{{/SCHEDULE}}</tbody>
</table>{{/HAS_SCHEDULES}}
<h2 id="add">Add a schedule</h2>
{{#ERRORS}}<div class="error" role="alert"><p>Nothing was saved:</p><ul>{{#ERROR}}<li>{{MESSAGE}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="/sites/{{SITE_ID}}/schedules#add" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <div class="field">
  <label for="operation">Operation</label>
  <select id="operation" name="operation">{{#OPERATION_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/OPERATION_OPTION}}</select>
  {{#ERROR_OPERATION}}<p class="field-error" role="alert">{{MESSAGE}}</p>{{/ERROR_OPERATION}}
  </div>
  <div class="field">
  <label for="frequency">Repeat</label>
  <select id="frequency" name="frequency">{{#FREQUENCY_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/FREQUENCY_OPTION}}</select>
  {{#ERROR_FREQUENCY}}<p class="field-error" role="alert">{{MESSAGE}}</p>{{/ERROR_FREQUENCY}}
  </div>
  <div class="field">
  <label for="every_n">Every N (minutes or hours)</label>
  <input id="every_n" name="every_n" value="{{EVERY_N}}" inputmode="numeric" maxlength="6" aria-describedby="every_n-help">
  <small id="every_n-help">For "every N minutes" (1 to {{MAX_MINUTES}}) or "every N hours" (1 to {{MAX_HOURS}}); counted from now.</small>
  {{#ERROR_EVERY_N}}<p class="field-error" role="alert">{{MESSAGE}}</p>{{/ERROR_EVERY_N}}
  </div>
  <div class="field">
  <label for="at_time">At (HH:MM, UTC)</label>
  <input id="at_time" name="at_time" value="{{AT_TIME}}" maxlength="5" aria-describedby="at_time-help">
  <small id="at_time-help">For daily and weekly.</small>
  {{#ERROR_AT_TIME}}<p class="field-error" role="alert">{{MESSAGE}}</p>{{/ERROR_AT_TIME}}
  </div>
  <div class="field">
  <label for="weekday">Day (weekly)</label>
  <select id="weekday" name="weekday">{{#WEEKDAY_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/WEEKDAY_OPTION}}</select>
  {{#ERROR_WEEKDAY}}<p class="field-error" role="alert">{{MESSAGE}}</p>{{/ERROR_WEEKDAY}}
  </div>
  <div class="field">
  <label for="keep_backups">Keep (backups)</label>
  <input id="keep_backups" name="keep_backups" value="{{KEEP_BACKUPS}}" inputmode="numeric" maxlength="6" aria-describedby="keep-help">
  <small id="keep-help">For a backup schedule: after each of its backups, its older backups beyond this many are deleted (0 keeps them all, up to {{MAX_KEEP}}). Backups taken otherwise are never deleted.</small>
  {{#ERROR_KEEP_BACKUPS}}<p class="field-error" role="alert">{{MESSAGE}}</p>{{/ERROR_KEEP_BACKUPS}}
  </div>
  <button type="submit">Add schedule</button>
</form>
