{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/users">Users</a> ›</nav>
<h1>{{NAME}}</h1>
<p>Added {{#CREATED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/CREATED}}.{{#LINK_PENDING}} A password link is out and not used yet.{{/LINK_PENDING}}</p>
{{#ERRORS}}<div class="error" role="alert"><p>Nothing was saved:</p><ul>{{#ERROR}}<li>{{#LINK}}<a href="{{HREF}}">{{/LINK}}{{MESSAGE}}{{#LINK}}</a>{{/LINK}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="/users/{{ID}}" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label><input type="checkbox" name="is_admin" value="1"{{#ADMIN_CHECKED}} checked{{/ADMIN_CHECKED}}> Administrator</label>
  <label><input type="checkbox" name="active" value="1"{{#ACTIVE_CHECKED}} checked{{/ACTIVE_CHECKED}}> May log in (unticked: disabled, logged out at once)</label>
  <fieldset id="clients"{{#ERR_CLIENTS}} aria-describedby="clients-error"{{/ERR_CLIENTS}}><legend>Clients (for a client user)</legend>
  {{#ERR_CLIENTS}}<p class="field-error" id="clients-error">{{MESSAGE}}</p>{{/ERR_CLIENTS}}
  {{#CLIENT}}<label><input type="checkbox" name="client_{{ID}}" value="1"{{#CHECKED}} checked{{/CHECKED}}> {{NAME}}</label>
  {{/CLIENT}}</fieldset>
  <button type="submit">Save</button>
</form>
<h2>Password</h2>
<p>Aegir never shows or sends a password. A new link lets {{NAME}} choose one; it replaces any earlier link, and the old password keeps working until the new one is set.</p>
<form method="post" action="/users/{{ID}}/password-link" class="inline">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <button type="submit">Make a password link</button>
</form>
<p><a href="/audit?user={{ID}}">What {{NAME}} did</a></p>
