{{%AUTOESCAPE context="HTML"}}<h1>Users</h1>
<p>An <strong>admin</strong> sees and does everything. A <strong>client user</strong> sees and acts only on the sites of their clients, and puts new sites only on the platforms those clients are allowed (set on each client's page).</p>
<form method="get" action="/users" class="filters" role="search" aria-label="Filter users">
  <label for="q">Name starts with</label> <input type="search" id="q" name="q" value="{{Q}}" maxlength="64">
  <label for="role">Role</label> <select id="role" name="role"><option value="">any</option>{{#ROLE_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/ROLE_OPTION}}</select>
  <label for="state">State</label> <select id="state" name="state"><option value="">any</option>{{#STATE_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STATE_OPTION}}</select>
  <button type="submit">Show</button>
</form>
{{#NARROWED}}<p class="narrowed">Only the {{NOUN}} that match (<a href="{{HREF}}">show all</a>).</p>{{/NARROWED}}
{{#NO_MATCH}}<p class="empty">No user matches.</p>{{/NO_MATCH}}
{{#NO_MORE}}<p class="empty">No more users.</p>{{/NO_MORE}}
{{#HAS_ROWS}}<div class="scroll"><table class="list">
<thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Clients</th><th scope="col">State</th><th scope="col">Added</th></tr></thead>
<tbody>
{{#USER_ROW}}<tr><td><a href="/users/{{ID}}">{{NAME}}</a></td><td>{{ROLE}}</td><td>{{CLIENTS}}</td><td><span class="badge {{STATE}}">{{STATE}}</span></td><td>{{#CREATED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/CREATED}}</td></tr>
{{/USER_ROW}}</tbody>
</table></div>{{/HAS_ROWS}}
{{#PAGER}}<nav class="pager" aria-label="Pages">{{#FIRST}}<a href="{{HREF}}">First</a> {{/FIRST}}{{#PREVIOUS}}<a href="{{HREF}}" rel="prev">Previous</a> {{/PREVIOUS}}{{#NEXT}}<a href="{{HREF}}" rel="next">Next</a>{{/NEXT}}</nav>{{/PAGER}}
<h2 id="add">Add a user</h2>
{{#ERRORS}}<div class="error" role="alert"><p>Nothing was saved:</p><ul>{{#ERROR}}<li>{{#LINK}}<a href="{{HREF}}">{{/LINK}}{{MESSAGE}}{{#LINK}}</a>{{/LINK}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="/users" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="name">User name</label>
  <input id="name" name="name" value="{{NAME}}" required maxlength="32" pattern="[a-z_][a-z0-9_\-]{0,31}" aria-describedby="name-help{{#ERR_NAME}} name-error{{/ERR_NAME}}"{{#ERR_NAME}} aria-invalid="true"{{/ERR_NAME}}>
  <small id="name-help">Lower-case letters, digits, '_' and '-'. They choose their password through a one-time link shown after this.</small>
  {{#ERR_NAME}}<p class="field-error" id="name-error">{{MESSAGE}}</p>{{/ERR_NAME}}
  <label><input type="checkbox" name="is_admin" value="1"{{#ADMIN_CHECKED}} checked{{/ADMIN_CHECKED}}> Administrator</label>
  <fieldset id="clients"{{#ERR_CLIENTS}} aria-describedby="clients-error"{{/ERR_CLIENTS}}><legend>Clients (for a client user)</legend>
  {{#ERR_CLIENTS}}<p class="field-error" id="clients-error">{{MESSAGE}}</p>{{/ERR_CLIENTS}}
  {{#CLIENT}}<label><input type="checkbox" name="client_{{ID}}" value="1"{{#CHECKED}} checked{{/CHECKED}}> {{NAME}}</label>
  {{/CLIENT}}</fieldset>
  <button type="submit">Add user</button>
</form>
