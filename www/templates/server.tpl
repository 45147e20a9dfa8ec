{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/servers">Servers</a> ›</nav>
<h1>{{NAME}}</h1>
<dl class="facts">
  <dt>Host</dt><dd>{{HOSTNAME}}</dd>
  <dt>Status</dt><dd><span class="badge {{STATUS}}">{{STATUS}}</span></dd>
  <dt>Configuration root</dt><dd>{{CONFIG_ROOT}}</dd>
  <dt>Added (UTC)</dt><dd>{{CREATED_AT}}</dd>
  <dt>Verified (UTC)</dt><dd>{{VERIFIED_AT}}</dd>
</dl>
<p><a href="/servers/{{ID}}/edit">Edit settings</a></p>
<h2>Services</h2>
{{#NO_SERVICES}}<p class="empty">No web or database server configured.</p>{{/NO_SERVICES}}
<ul class="services">{{#SERVICE}}<li><strong>{{TYPE}}: {{KIND}}</strong> {{SUMMARY}}</li>{{/SERVICE}}</ul>
<h2>Operations</h2>
{{>OPERATIONS}}
<h2>Platforms</h2>
{{#NO_PLATFORMS}}<p class="empty">No platforms on this server.</p>{{/NO_PLATFORMS}}
<ul>{{#PLATFORM}}<li><a href="/platforms/{{ID}}">{{NAME}}</a> <span class="badge {{STATUS}}">{{STATUS}}</span></li>{{/PLATFORM}}</ul>
<h2>Tasks</h2>
{{>TASK_TABLE}}
