{{%AUTOESCAPE context="HTML"}}<h1>Dashboard</h1>
<ul class="stats">
  {{#IS_ADMIN}}<li><a href="/servers"><strong>{{SERVERS}}</strong> servers</a></li>
  <li><a href="/platforms"><strong>{{PLATFORMS}}</strong> platforms</a></li>{{/IS_ADMIN}}
  <li><a href="/sites"><strong>{{SITES}}</strong> sites</a></li>
  <li><a href="/tasks"><strong>{{QUEUED}}</strong> queued</a></li>
  <li><a href="/tasks"><strong>{{RUNNING}}</strong> running</a></li>
  <li><a href="/tasks"><strong>{{FAILED}}</strong> failed</a></li>
</ul>
<h2>Recent tasks</h2>
{{>TASK_TABLE}}
