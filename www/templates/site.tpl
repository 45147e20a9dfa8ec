{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/sites">Sites</a> ›</nav>
<h1>{{DOMAIN}}</h1>
<dl class="facts">
  <dt>Server</dt><dd><a href="/servers/{{SERVER_ID}}">{{SERVER_NAME}}</a></dd>
  <dt>Status</dt><dd><span class="badge {{STATUS}}">{{STATUS}}</span></dd>
  <dt>Added (UTC)</dt><dd>{{CREATED_AT}}</dd>
</dl>
<h2>Tasks</h2>
{{>TASK_TABLE}}
