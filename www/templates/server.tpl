{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/servers">Servers</a> ›</nav>
<h1>{{NAME}}</h1>
<dl class="facts">
  <dt>Host</dt><dd>{{HOSTNAME}}</dd>
  <dt>Status</dt><dd><span class="badge {{STATUS}}">{{STATUS}}</span></dd>
  <dt>Added (UTC)</dt><dd>{{CREATED_AT}}</dd>
  <dt>Verified (UTC)</dt><dd>{{VERIFIED_AT}}</dd>
</dl>
<h2>Operations</h2>
<div class="operations">
{{#OPERATION}}<form method="post" action="/servers/{{ID}}/run/{{OP_NAME}}">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <button type="submit">{{OP_TITLE}}</button>
</form>
{{/OPERATION}}</div>
<h2>Tasks</h2>
{{>TASK_TABLE}}
