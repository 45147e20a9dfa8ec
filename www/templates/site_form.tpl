{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/sites">Sites</a> ›</nav>
<h1>{{HEADING}}</h1>
{{#ERRORS}}<div class="error" role="alert"><p>Nothing was saved:</p><ul>{{#ERROR}}<li>{{MESSAGE}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="{{ACTION}}" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  {{#ADD}}{{#NO_PLATFORMS}}<p class="error">{{#IS_ADMIN}}There is no enabled platform yet: add one and deploy it first.{{/IS_ADMIN}}{{#IS_CLIENT_USER}}No platform is open to your clients yet; ask an administrator.{{/IS_CLIENT_USER}}</p>{{/NO_PLATFORMS}}
  {{#NO_DB_SERVERS}}<p class="error">No server has a database service yet: edit a server and add one.</p>{{/NO_DB_SERVERS}}
  <label for="domain">Domain</label>
  <input id="domain" name="domain" value="{{DOMAIN}}" required maxlength="253" aria-describedby="domain-help">
  <small id="domain-help">For example <code>blog.example.org</code>, or <code>blog.localhost</code> to try it on this machine.</small>
  <label for="platform_id">Platform</label>
  <select id="platform_id" name="platform_id" required>{{#PLATFORM}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/PLATFORM}}</select>
  {{#IS_ADMIN}}<label for="db_server_id">Database server</label>
  <select id="db_server_id" name="db_server_id" required>{{#DB_SERVER}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/DB_SERVER}}</select>{{/IS_ADMIN}}
  <label for="profile">Install profile</label>
  <input id="profile" name="profile" value="{{PROFILE}}" maxlength="64" aria-describedby="profile-help">
  <small id="profile-help">Drupal only (e.g. <code>standard</code>); leave empty otherwise.</small>
  {{>FIELDS}}{{/ADD}}
  {{#EDIT}}<input type="hidden" name="domain" value="{{DOMAIN}}">{{/EDIT}}
  <label for="client_id">Client</label>
  <select id="client_id" name="client_id" required>{{#CLIENT}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/CLIENT}}</select>
  <label for="https">HTTPS</label>
  <select id="https" name="https">{{#HTTPS}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/HTTPS}}</select>
  <label for="aliases">Aliases</label>
  <textarea id="aliases" name="aliases" rows="3" aria-describedby="aliases-help">{{ALIASES}}</textarea>
  <small id="aliases-help">Other domains that show this site, one per line.</small>
  <label for="redirects">Redirected aliases</label>
  <textarea id="redirects" name="redirects" rows="3" aria-describedby="redirects-help">{{REDIRECTS}}</textarea>
  <small id="redirects-help">Domains that redirect (301) to the main domain, one per line.</small>
  <button type="submit">{{SUBMIT}}</button>
</form>
