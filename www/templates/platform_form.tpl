{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/platforms">Platforms</a> ›</nav>
<h1>Add a platform</h1>
{{#ERRORS}}<div class="error" role="alert"><p>The platform was not added:</p><ul>{{#ERROR}}<li>{{MESSAGE}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
{{#NO_SERVERS}}<p class="error">Add a server with a web server first: a platform lives on one.</p>{{/NO_SERVERS}}
<form method="post" action="/platforms/add" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="name">Name</label>
  <input id="name" name="name" value="{{NAME}}" required maxlength="64" aria-describedby="name-help">
  <small id="name-help">Lower-case letters, digits, '.', '_' and '-', e.g. <code>wordpress-6.1</code>. The code goes to the server's platforms directory under this name.</small>
  <label for="server_id">Web server</label>
  <select id="server_id" name="server_id" required>{{#SERVER}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/SERVER}}</select>
  <label for="distribution_id">Distribution</label>
  <select id="distribution_id" name="distribution_id" required>{{#DISTRIBUTION}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/DISTRIBUTION}}</select>
  <fieldset><legend>Code from</legend>
  <label class="inline"><input type="radio" name="source" value="path"{{#SOURCE_PATH_CHECKED}} checked{{/SOURCE_PATH_CHECKED}}> a directory on the server</label>
  <label for="source_path">Directory</label>
  <input id="source_path" name="source_path" value="{{SOURCE_PATH}}" maxlength="1024" aria-describedby="path-help">
  <small id="path-help">Copied as it is, e.g. <code>/usr/share/wordpress</code> (Debian's <code>wordpress</code> package).</small>
  <label class="inline"><input type="radio" name="source" value="git"{{#SOURCE_GIT}} checked{{/SOURCE_GIT}}> a git repository</label>
  <label for="git_url">Repository URL</label>
  <input id="git_url" name="git_url" value="{{GIT_URL}}" maxlength="1024" aria-describedby="git-help">
  <small id="git-help">An https://, ssh://, git:// or file:/// URL, or user@host:path; no password or token in it (for a private repository, give the executor's key access).</small>
  <label for="git_ref">Branch, tag or commit</label>
  <input id="git_ref" name="git_ref" value="{{GIT_REF}}" maxlength="255">
  </fieldset>
  <button type="submit">Add and deploy</button>
</form>
