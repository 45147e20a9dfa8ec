{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/platforms">Platforms</a> ›</nav>
<h1>Add a platform</h1>
{{#ERRORS}}<div class="error" role="alert"><p>The platform was not added:</p><ul>{{#ERROR}}<li>{{#LINK}}<a href="{{HREF}}">{{/LINK}}{{MESSAGE}}{{#LINK}}</a>{{/LINK}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
{{#NO_SERVERS}}<p class="error">Add a server with a web server first: a platform lives on one.</p>{{/NO_SERVERS}}
<form method="post" action="/platforms/add" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="name">Name</label>
  <input id="name" name="name" value="{{NAME}}" required maxlength="64" aria-describedby="name-help{{#ERR_NAME}} name-error{{/ERR_NAME}}"{{#ERR_NAME}} aria-invalid="true"{{/ERR_NAME}}>
  <small id="name-help">Lower-case letters, digits, '.', '_' and '-', e.g. <code>wordpress-6.1</code>. The code goes to the server's platforms directory under this name.</small>
  {{#ERR_NAME}}<p class="field-error" id="name-error">{{MESSAGE}}</p>{{/ERR_NAME}}
  <label for="server_id">Web server</label>
  <select id="server_id" name="server_id" required{{#ERR_SERVER_ID}} aria-invalid="true" aria-describedby="server_id-error"{{/ERR_SERVER_ID}}>{{#SERVER}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/SERVER}}</select>
  {{#ERR_SERVER_ID}}<p class="field-error" id="server_id-error">{{MESSAGE}}</p>{{/ERR_SERVER_ID}}
  <label for="distribution_id">Distribution</label>
  <select id="distribution_id" name="distribution_id" required{{#ERR_DISTRIBUTION_ID}} aria-invalid="true" aria-describedby="distribution_id-error"{{/ERR_DISTRIBUTION_ID}}>{{#DISTRIBUTION}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/DISTRIBUTION}}</select>
  {{#ERR_DISTRIBUTION_ID}}<p class="field-error" id="distribution_id-error">{{MESSAGE}}</p>{{/ERR_DISTRIBUTION_ID}}
  <fieldset id="source"{{#ERR_SOURCE}} aria-describedby="source-error"{{/ERR_SOURCE}}><legend>Code from</legend>
  {{#ERR_SOURCE}}<p class="field-error" id="source-error">{{MESSAGE}}</p>{{/ERR_SOURCE}}
  <label class="inline"><input type="radio" name="source" value="path"{{#SOURCE_PATH_CHECKED}} checked{{/SOURCE_PATH_CHECKED}}> a directory on the server</label>
  <label for="source_path">Directory</label>
  <input id="source_path" name="source_path" value="{{SOURCE_PATH}}" maxlength="1024" aria-describedby="path-help{{#ERR_SOURCE_PATH}} source_path-error{{/ERR_SOURCE_PATH}}"{{#ERR_SOURCE_PATH}} aria-invalid="true"{{/ERR_SOURCE_PATH}}>
  <small id="path-help">Copied as it is, e.g. <code>/usr/share/wordpress</code> (Debian's <code>wordpress</code> package).</small>
  {{#ERR_SOURCE_PATH}}<p class="field-error" id="source_path-error">{{MESSAGE}}</p>{{/ERR_SOURCE_PATH}}
  <label class="inline"><input type="radio" name="source" value="git"{{#SOURCE_GIT}} checked{{/SOURCE_GIT}}> a git repository</label>
  <label for="git_url">Repository URL</label>
  <input id="git_url" name="git_url" value="{{GIT_URL}}" maxlength="1024" aria-describedby="git-help{{#ERR_GIT_URL}} git_url-error{{/ERR_GIT_URL}}"{{#ERR_GIT_URL}} aria-invalid="true"{{/ERR_GIT_URL}}>
  <small id="git-help">An https://, ssh://, git:// or file:/// URL, or user@host:path; no password or token in it (for a private repository, give the executor's key access).</small>
  {{#ERR_GIT_URL}}<p class="field-error" id="git_url-error">{{MESSAGE}}</p>{{/ERR_GIT_URL}}
  <label for="git_ref">Branch, tag or commit</label>
  <input id="git_ref" name="git_ref" value="{{GIT_REF}}" maxlength="255"{{#ERR_GIT_REF}} aria-invalid="true" aria-describedby="git_ref-error"{{/ERR_GIT_REF}}>
  {{#ERR_GIT_REF}}<p class="field-error" id="git_ref-error">{{MESSAGE}}</p>{{/ERR_GIT_REF}}
  </fieldset>
  <button type="submit">Add and deploy</button>
</form>
