{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/sites/{{SITE_ID}}">{{DOMAIN}}</a> › <a href="/sites/{{SITE_ID}}/schedules">Schedules</a> ›</nav>
<h1>Delete schedule #{{ID}} of {{DOMAIN}}</h1>
<p class="warning">{{OPERATION}}, {{WHEN}}, will no longer run. Its tasks and the backups it took stay.</p>
<form method="post" action="/sites/{{SITE_ID}}/schedules/{{ID}}/delete" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <div class="actions"><button type="submit" class="danger">Delete schedule</button> <a href="/sites/{{SITE_ID}}/schedules">Cancel</a></div>
</form>
