{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/sites">Sites</a> ›</nav>
<h1>{{HEADING}}</h1>
{{#ERRORS}}<div class="error" role="alert"><p>Nothing was saved:</p><ul>{{#ERROR}}<li>{{#LINK}}<a href="{{HREF}}">{{/LINK}}{{MESSAGE}}{{#LINK}}</a>{{/LINK}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="{{ACTION}}" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  {{#ADD}}{{#NO_PLATFORMS}}<p class="error">{{#IS_ADMIN}}There is no enabled platform yet: add one and deploy it first.{{/IS_ADMIN}}{{#IS_CLIENT_USER}}No platform is open to your clients yet; ask an administrator.{{/IS_CLIENT_USER}}</p>{{/NO_PLATFORMS}}
  {{#NO_DB_SERVERS}}<p class="error">No server has a database service yet: edit a server and add one.</p>{{/NO_DB_SERVERS}}
  <label for="domain">Domain</label>
  <input id="domain" name="domain" value="{{DOMAIN}}" required maxlength="253" aria-describedby="domain-help{{#ERR_DOMAIN}} domain-error{{/ERR_DOMAIN}}"{{#ERR_DOMAIN}} aria-invalid="true"{{/ERR_DOMAIN}}>
  <small id="domain-help">For example <code>blog.example.org</code>, or <code>blog.localhost</code> to try it on this machine.</small>
  {{#ERR_DOMAIN}}<p class="field-error" id="domain-error">{{MESSAGE}}</p>{{/ERR_DOMAIN}}
  <label for="platform_id">Platform</label>
  <select id="platform_id" name="platform_id" required{{#ERR_PLATFORM_ID}} aria-invalid="true" aria-describedby="platform_id-error"{{/ERR_PLATFORM_ID}}>{{#PLATFORM}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/PLATFORM}}</select>
  {{#ERR_PLATFORM_ID}}<p class="field-error" id="platform_id-error">{{MESSAGE}}</p>{{/ERR_PLATFORM_ID}}
  {{#IS_ADMIN}}<label for="db_server_id">Database server</label>
  <select id="db_server_id" name="db_server_id" required{{#ERR_DB_SERVER_ID}} aria-invalid="true" aria-describedby="db_server_id-error"{{/ERR_DB_SERVER_ID}}>{{#DB_SERVER}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/DB_SERVER}}</select>
  {{#ERR_DB_SERVER_ID}}<p class="field-error" id="db_server_id-error">{{MESSAGE}}</p>{{/ERR_DB_SERVER_ID}}{{/IS_ADMIN}}
  <label for="profile">Install profile</label>
  <input id="profile" name="profile" value="{{PROFILE}}" maxlength="64" aria-describedby="profile-help{{#ERR_PROFILE}} profile-error{{/ERR_PROFILE}}"{{#ERR_PROFILE}} aria-invalid="true"{{/ERR_PROFILE}}>
  <small id="profile-help">Drupal only (e.g. <code>standard</code>); leave empty otherwise.</small>
  {{#ERR_PROFILE}}<p class="field-error" id="profile-error">{{MESSAGE}}</p>{{/ERR_PROFILE}}
  {{>FIELDS}}{{/ADD}}
  {{#EDIT}}<input type="hidden" name="domain" value="{{DOMAIN}}">{{/EDIT}}
  <label for="client_id">Client</label>
  <select id="client_id" name="client_id" required{{#ERR_CLIENT_ID}} aria-invalid="true" aria-describedby="client_id-error"{{/ERR_CLIENT_ID}}>{{#CLIENT}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/CLIENT}}</select>
  {{#ERR_CLIENT_ID}}<p class="field-error" id="client_id-error">{{MESSAGE}}</p>{{/ERR_CLIENT_ID}}
  <label for="https">HTTPS</label>
  <select id="https" name="https"{{#ERR_HTTPS}} aria-invalid="true" aria-describedby="https-error"{{/ERR_HTTPS}}>{{#HTTPS}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/HTTPS}}</select>
  {{#ERR_HTTPS}}<p class="field-error" id="https-error">{{MESSAGE}}</p>{{/ERR_HTTPS}}
  <label for="aliases">Aliases</label>
  <textarea id="aliases" name="aliases" rows="3" aria-describedby="aliases-help{{#ERR_ALIASES}} aliases-error{{/ERR_ALIASES}}"{{#ERR_ALIASES}} aria-invalid="true"{{/ERR_ALIASES}}>{{ALIASES:pre_escape}}</textarea>
  <small id="aliases-help">Other domains that show this site, one per line.</small>
  {{#ERR_ALIASES}}<p class="field-error" id="aliases-error">{{MESSAGE}}</p>{{/ERR_ALIASES}}
  <label for="redirects">Redirected aliases</label>
  <textarea id="redirects" name="redirects" rows="3" aria-describedby="redirects-help{{#ERR_REDIRECTS}} redirects-error{{/ERR_REDIRECTS}}"{{#ERR_REDIRECTS}} aria-invalid="true"{{/ERR_REDIRECTS}}>{{REDIRECTS:pre_escape}}</textarea>
  <small id="redirects-help">Domains that redirect (301) to the main domain, one per line.</small>
  {{#ERR_REDIRECTS}}<p class="field-error" id="redirects-error">{{MESSAGE}}</p>{{/ERR_REDIRECTS}}
  <button type="submit">{{SUBMIT}}</button>
</form>
