{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/platforms">Platforms</a> ›</nav>
<h1>{{NAME}}</h1>
<dl class="facts">
  <dt>Distribution</dt><dd>{{DISTRIBUTION}}</dd>
  <dt>Server</dt><dd><a href="/servers/{{SERVER_ID}}">{{SERVER_NAME}}</a></dd>
  <dt>Status</dt><dd><span class="badge {{STATUS}}" id="platform-status">{{STATUS}}</span></dd>
  <dt>Code from</dt><dd>{{SOURCE}}</dd>
  <dt>Deployed commit</dt><dd><code>{{COMMIT}}</code></dd>
  <dt>Added</dt><dd>{{#CREATED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/CREATED}}</dd>
  <dt>Verified</dt><dd>{{#VERIFIED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/VERIFIED}}{{#NEVER_VERIFIED}}never{{/NEVER_VERIFIED}}</dd>
</dl>
<h2>Operations</h2>
{{>OPERATIONS}}
<h2>Sites ({{SITE_COUNT}})</h2>
{{#CAN_ADD_SITE}}<p><a class="button" href="/sites/add?platform={{ID}}">Add a site here</a></p>{{/CAN_ADD_SITE}}
{{#NO_SITES}}<p class="empty">No sites on this platform.</p>{{/NO_SITES}}
<ul>{{#SITE}}<li><a href="/sites/{{ID}}">{{DOMAIN}}</a> <span class="badge {{STATUS}}">{{STATUS}}</span></li>{{/SITE}}</ul>
{{#ALL_SITES}}<p>The first {{SHOWN}} of {{COUNT}} sites by domain: <a href="{{HREF}}">all {{COUNT}} sites on this platform</a>.</p>{{/ALL_SITES}}
<h2>Tasks</h2>
{{>TASK_TABLE}}
<p><a href="{{ALL_TASKS}}">All tasks on this platform</a></p>
