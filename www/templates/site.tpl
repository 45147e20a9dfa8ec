{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/sites">Sites</a> ›</nav>
<h1>{{DOMAIN}}</h1>
<dl class="facts">
  <dt>Status</dt><dd><span class="badge {{STATUS}}" id="site-status">{{STATUS}}</span></dd>
  <dt>Platform</dt><dd>{{#IS_ADMIN}}<a href="/platforms/{{PLATFORM_ID}}" id="site-platform">{{PLATFORM_NAME}}</a>{{/IS_ADMIN}}{{#IS_CLIENT_USER}}<span id="site-platform">{{PLATFORM_NAME}}</span>{{/IS_CLIENT_USER}}</dd>
  {{#IS_ADMIN}}<dt>Web server</dt><dd><a href="/servers/{{SERVER_ID}}">{{SERVER_NAME}}</a></dd>
  <dt>Database</dt><dd>{{DB_NAME}} on <a href="/servers/{{DB_SERVER_ID}}">{{DB_SERVER_NAME}}</a></dd>{{/IS_ADMIN}}
  <dt>Client</dt><dd>{{CLIENT_NAME}}</dd>
  <dt>HTTPS</dt><dd>{{HTTPS}}</dd>
  <dt>Aliases</dt><dd>{{#NO_ALIASES}}none{{/NO_ALIASES}}{{#ALIAS}}<span class="alias">{{ALIAS}}{{#REDIRECT}} (redirects){{/REDIRECT}}</span> {{/ALIAS}}</dd>
  <dt>Added</dt><dd>{{#CREATED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/CREATED}}</dd>
</dl>
<p><a href="/sites/{{ID}}/edit">Edit aliases, HTTPS and client</a></p>
<h2>Operations</h2>
{{>OPERATIONS}}
<h2>Schedules</h2>
<p><a href="/sites/{{ID}}/schedules" id="site-schedules">Recurring backups and cron runs</a></p>
<h2>Backups</h2>
{{#NO_BACKUPS}}<p class="empty">No backups yet.</p>{{/NO_BACKUPS}}
{{#HAS_BACKUPS}}<div class="scroll"><table class="list" id="backups">
<thead><tr><th scope="col">Taken</th><th scope="col">File</th><th scope="col">Size</th><th scope="col">Description</th>{{#BACKUP_ACTIONS}}<th scope="col">Actions</th>{{/BACKUP_ACTIONS}}</tr></thead>
<tbody>{{#BACKUP}}<tr id="backup-{{ID}}"><td>{{#CREATED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/CREATED}}</td><td><code title="{{PATH}}">{{PATH}}</code></td><td><span title="{{BYTES}} bytes">{{SIZE}}</span></td><td>{{DESCRIPTION}}</td>{{#ACTIONS}}<td class="row-actions">{{#RESTORE}}<form method="post" action="{{ACTION}}">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <input type="hidden" name="aegir_backup_file" value="{{PATH}}">
  <button type="submit" aria-label="Restore the backup taken {{CREATED_AT}} UTC">Restore</button>
</form>{{/RESTORE}}{{#DELETE}}<a class="button secondary" href="{{HREF}}" aria-label="Delete the backup taken {{CREATED_AT}} UTC">Delete…</a>{{/DELETE}}</td>{{/ACTIONS}}</tr>
{{/BACKUP}}</tbody></table></div>{{/HAS_BACKUPS}}
<h2>Tasks</h2>
{{>TASK_TABLE}}
<p><a href="{{ALL_TASKS}}">All tasks on this site</a></p>
