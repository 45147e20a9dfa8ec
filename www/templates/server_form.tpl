{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/servers">Servers</a> ›</nav>
<h1>Add a server</h1>
{{#ERRORS}}<div class="error" role="alert"><p>The server was not added:</p><ul>{{#ERROR}}<li>{{MESSAGE}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="/servers/add" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="name">Name</label>
  <input id="name" name="name" value="{{NAME}}" required maxlength="64" aria-describedby="name-help">
  <small id="name-help">Lower-case letters, digits, dots and dashes, e.g. <code>web1</code>.</small>
  <label for="hostname">Host name or address</label>
  <input id="hostname" name="hostname" value="{{HOSTNAME}}" required maxlength="253" aria-describedby="host-help">
  <small id="host-help"><code>localhost</code> runs the operations on this machine; any other host is reached over SSH.</small>
  <button type="submit">Add server</button>
</form>
