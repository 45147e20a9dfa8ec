{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/sites">Sites</a> ›</nav>
<h1>Add a site</h1>
{{#ERRORS}}<div class="error" role="alert"><p>The site was not added:</p><ul>{{#ERROR}}<li>{{MESSAGE}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
{{#NO_SERVERS}}<p class="error">Add a server first: a site lives on a server.</p>{{/NO_SERVERS}}
<form method="post" action="/sites/add" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="domain">Domain</label>
  <input id="domain" name="domain" value="{{DOMAIN}}" required maxlength="253" aria-describedby="domain-help">
  <small id="domain-help">For example <code>blog.example.org</code>.</small>
  <label for="server_id">Server</label>
  <select id="server_id" name="server_id" required>
  {{#SERVER}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
  {{/SERVER}}</select>
  <button type="submit">Add site</button>
</form>
