{{%AUTOESCAPE context="HTML"}}<h1>Users</h1>
<p>An <strong>admin</strong> sees and does everything. A <strong>client user</strong> sees and acts only on the sites of their clients, and puts new sites only on the platforms those clients are allowed (set on each client's page).</p>
<table class="list">
<thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Clients</th><th scope="col">State</th><th scope="col">Added (UTC)</th></tr></thead>
<tbody>
{{#USER_ROW}}<tr><td><a href="/users/{{ID}}">{{NAME}}</a></td><td>{{ROLE}}</td><td>{{CLIENTS}}</td><td><span class="badge {{STATE}}">{{STATE}}</span></td><td>{{CREATED_AT}}</td></tr>
{{/USER_ROW}}</tbody>
</table>
<h2 id="add">Add a user</h2>
{{#ERRORS}}<div class="error" role="alert"><p>Nothing was saved:</p><ul>{{#ERROR}}<li>{{MESSAGE}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="/users" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="name">User name</label>
  <input id="name" name="name" value="{{NAME}}" required maxlength="32" pattern="[a-z_][a-z0-9_\-]{0,31}" aria-describedby="name-help">
  <small id="name-help">Lower-case letters, digits, '_' and '-'. They choose their password through a one-time link shown after this.</small>
  <label><input type="checkbox" name="is_admin" value="1"{{#ADMIN_CHECKED}} checked{{/ADMIN_CHECKED}}> Administrator</label>
  <fieldset><legend>Clients (for a client user)</legend>
  {{#CLIENT}}<label><input type="checkbox" name="client_{{ID}}" value="1"{{#CHECKED}} checked{{/CHECKED}}> {{NAME}}</label>
  {{/CLIENT}}</fieldset>
  <button type="submit">Add user</button>
</form>
