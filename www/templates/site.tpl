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
  <dt>Added (UTC)</dt><dd>{{CREATED_AT}}</dd>
</dl>
<p><a href="/sites/{{ID}}/edit">Edit aliases, HTTPS and client</a></p>
<h2>Operations</h2>
{{>OPERATIONS}}
<h2>Schedules</h2>
<p><a href="/sites/{{ID}}/schedules" id="site-schedules">Recurring backups and cron runs</a></p>
<h2>Backups</h2>
{{#NO_BACKUPS}}<p class="empty">No backups yet.</p>{{/NO_BACKUPS}}
{{#HAS_BACKUPS}}<table class="list" id="backups">
<thead><tr><th scope="col">Taken (UTC)</th><th scope="col">File</th><th scope="col">Size</th><th scope="col">Description</th></tr></thead>
<tbody>{{#BACKUP}}<tr><td>{{CREATED_AT}}</td><td><code>{{PATH}}</code></td><td>{{SIZE}}</td><td>{{DESCRIPTION}}</td></tr>
{{/BACKUP}}</tbody></table>{{/HAS_BACKUPS}}
<h2>Tasks</h2>
{{>TASK_TABLE}}
