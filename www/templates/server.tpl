{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/servers">Servers</a> ›</nav>
<h1>{{NAME}}</h1>
<dl class="facts">
  <dt>Host</dt><dd>{{HOSTNAME}}</dd>
  <dt>Status</dt><dd><span class="badge {{STATUS}}">{{STATUS}}</span></dd>
  <dt>Configuration root</dt><dd>{{CONFIG_ROOT}}</dd>
  <dt>Added</dt><dd>{{#CREATED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/CREATED}}</dd>
  <dt>Verified</dt><dd>{{#VERIFIED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/VERIFIED}}{{#NEVER_VERIFIED}}never{{/NEVER_VERIFIED}}</dd>
  {{#LOCAL}}<dt>Connection</dt><dd>this machine (no SSH)</dd>{{/LOCAL}}
  <dt>Executors</dt><dd id="executor-label">{{EXECUTOR_LABEL}}</dd>
  {{#SSH}}<dt>Connection</dt><dd>SSH as <code>{{SSH_USER}}</code>, port {{SSH_PORT}}</dd>
  <dt>Host key</dt><dd>{{#NO_HOST_KEY}}<span id="host-key">not recorded yet</span>: the next verification records the key the server shows, and every later job accepts only that key.{{/NO_HOST_KEY}}{{#HOST_KEY}}<pre class="key" id="host-key">{{KEY}}</pre>
    <form method="post" action="/servers/{{ID}}/forget-host-key"><input type="hidden" name="csrf" value="{{CSRF}}"><button type="submit" class="danger">Forget the host key</button></form>{{/HOST_KEY}}</dd>{{/SSH}}
</dl>
{{#SSH}}{{#PUBLIC_KEY}}<p>Aegir logs in with this key: put it in <code>~{{SSH_USER}}/.ssh/authorized_keys</code> on the server.</p>
<pre class="key" id="public-key">{{KEY}}</pre>{{/PUBLIC_KEY}}{{/SSH}}
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
<p><a href="{{ALL_TASKS}}">All tasks on this server</a></p>
