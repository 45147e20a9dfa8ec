{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/servers">Servers</a> ›</nav>
<h1>{{HEADING}}</h1>
{{#ERRORS}}<div class="error" role="alert"><p>Nothing was saved:</p><ul>{{#ERROR}}<li>{{#LINK}}<a href="{{HREF}}">{{/LINK}}{{MESSAGE}}{{#LINK}}</a>{{/LINK}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="{{ACTION}}" class="form wide">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <fieldset><legend>Server</legend>
  {{#ADD}}<label for="name">Name</label>
  <input id="name" name="name" value="{{NAME}}" required maxlength="64" aria-describedby="name-help{{#ERR_NAME}} name-error{{/ERR_NAME}}"{{#ERR_NAME}} aria-invalid="true"{{/ERR_NAME}}>
  <small id="name-help">Lower-case letters, digits, dots and dashes, e.g. <code>web1</code>.</small>
  {{#ERR_NAME}}<p class="field-error" id="name-error">{{MESSAGE}}</p>{{/ERR_NAME}}{{/ADD}}
  {{#EDIT}}<input type="hidden" name="name" value="{{NAME}}">{{/EDIT}}
  <label for="hostname">Host name or address</label>
  <input id="hostname" name="hostname" value="{{HOSTNAME}}" required maxlength="253" aria-describedby="host-help{{#ERR_HOSTNAME}} hostname-error{{/ERR_HOSTNAME}}"{{#ERR_HOSTNAME}} aria-invalid="true"{{/ERR_HOSTNAME}}>
  <small id="host-help"><code>localhost</code> runs the operations on this machine; any other host is reached over SSH.</small>
  {{#ERR_HOSTNAME}}<p class="field-error" id="hostname-error">{{MESSAGE}}</p>{{/ERR_HOSTNAME}}
  <label for="config_root">Configuration root</label>
  <input id="config_root" name="config_root" value="{{CONFIG_ROOT}}" maxlength="1024" aria-describedby="root-help{{#ERR_CONFIG_ROOT}} config_root-error{{/ERR_CONFIG_ROOT}}"{{#ERR_CONFIG_ROOT}} aria-invalid="true"{{/ERR_CONFIG_ROOT}}>
  <small id="root-help">Where Aegir keeps this server's vhosts, platforms, backups and certificates (a directory per server under it). Empty: the default.</small>
  {{#ERR_CONFIG_ROOT}}<p class="field-error" id="config_root-error">{{MESSAGE}}</p>{{/ERR_CONFIG_ROOT}}
  <label for="ssh_user">SSH user</label>
  <input id="ssh_user" name="ssh_user" value="{{SSH_USER}}" maxlength="32"{{#ERR_SSH_USER}} aria-invalid="true" aria-describedby="ssh_user-error"{{/ERR_SSH_USER}}>
  {{#ERR_SSH_USER}}<p class="field-error" id="ssh_user-error">{{MESSAGE}}</p>{{/ERR_SSH_USER}}
  <label for="ssh_port">SSH port</label>
  <input id="ssh_port" name="ssh_port" value="{{SSH_PORT}}" inputmode="numeric" maxlength="5"{{#ERR_SSH_PORT}} aria-invalid="true" aria-describedby="ssh_port-error"{{/ERR_SSH_PORT}}>
  {{#ERR_SSH_PORT}}<p class="field-error" id="ssh_port-error">{{MESSAGE}}</p>{{/ERR_SSH_PORT}}
  <label for="executor_label">Executor label</label>
  <input id="executor_label" name="executor_label" value="{{EXECUTOR_LABEL}}" maxlength="64" aria-describedby="label-help{{#ERR_EXECUTOR_LABEL}} executor_label-error{{/ERR_EXECUTOR_LABEL}}"{{#ERR_EXECUTOR_LABEL}} aria-invalid="true"{{/ERR_EXECUTOR_LABEL}}>
  <small id="label-help">Only executors started with this label (<code>--labels</code>) run this server's jobs, for one that only some executors reach. Empty: any executor.</small>
  {{#ERR_EXECUTOR_LABEL}}<p class="field-error" id="executor_label-error">{{MESSAGE}}</p>{{/ERR_EXECUTOR_LABEL}}
  </fieldset>
  <fieldset><legend>Web server</legend>
  <label for="http_kind">Web server</label>
  <select id="http_kind" name="http_kind">{{#HTTP_KIND}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/HTTP_KIND}}</select>
  <label for="http_address">Listen address</label>
  <input id="http_address" name="http_address" value="{{HTTP_ADDRESS}}" maxlength="15">
  <label for="http_port">HTTP port</label>
  <input id="http_port" name="http_port" value="{{HTTP_PORT}}" inputmode="numeric" maxlength="5"{{#ERR_HTTP_PORT}} aria-invalid="true" aria-describedby="http_port-error"{{/ERR_HTTP_PORT}}>
  {{#ERR_HTTP_PORT}}<p class="field-error" id="http_port-error">{{MESSAGE}}</p>{{/ERR_HTTP_PORT}}
  <label for="https_port">HTTPS port</label>
  <input id="https_port" name="https_port" value="{{HTTPS_PORT}}" inputmode="numeric" maxlength="5" aria-describedby="https-help{{#ERR_HTTPS_PORT}} https_port-error{{/ERR_HTTPS_PORT}}"{{#ERR_HTTPS_PORT}} aria-invalid="true"{{/ERR_HTTPS_PORT}}>
  <small id="https-help">0: no HTTPS on this server.</small>
  {{#ERR_HTTPS_PORT}}<p class="field-error" id="https_port-error">{{MESSAGE}}</p>{{/ERR_HTTPS_PORT}}
  <label for="vhost_dir">Vhost directory</label>
  <input id="vhost_dir" name="vhost_dir" value="{{VHOST_DIR}}" maxlength="1024" aria-describedby="vhost-help">
  <small id="vhost-help">The web server must include <code>*.conf</code> from it. Empty: <code>vhost.d</code> in the server's directory.</small>
  <label for="reload">Reload command</label>
  <input id="reload" name="reload" value="{{RELOAD}}" maxlength="2000" aria-describedby="reload-help">
  <small id="reload-help">Program and arguments separated by spaces; no shell runs it. Empty: <code>sudo -n /usr/sbin/nginx -s reload</code> or <code>sudo -n /usr/sbin/apache2ctl graceful</code> (see the sudoers rule in the README).</small>
  <label for="php_fpm_socket">PHP-FPM socket</label>
  <input id="php_fpm_socket" name="php_fpm_socket" value="{{PHP_FPM_SOCKET}}" maxlength="1024">
  <label for="platforms_dir">Platforms directory</label>
  <input id="platforms_dir" name="platforms_dir" value="{{PLATFORMS_DIR}}" maxlength="1024">
  </fieldset>
  <fieldset><legend>Database server</legend>
  <label for="db_kind">Database</label>
  <select id="db_kind" name="db_kind">{{#DB_KIND}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/DB_KIND}}</select>
  <label for="db_host">Host sites connect to</label>
  <input id="db_host" name="db_host" value="{{DB_HOST}}" maxlength="253">
  <label for="db_port">Port</label>
  <input id="db_port" name="db_port" value="{{DB_PORT}}" inputmode="numeric" maxlength="5"{{#ERR_DB_PORT}} aria-invalid="true" aria-describedby="db_port-error"{{/ERR_DB_PORT}}>
  {{#ERR_DB_PORT}}<p class="field-error" id="db_port-error">{{MESSAGE}}</p>{{/ERR_DB_PORT}}
  <label for="db_socket">Socket</label>
  <input id="db_socket" name="db_socket" value="{{DB_SOCKET}}" maxlength="1024">
  <label for="db_admin_user">Administrative user</label>
  <input id="db_admin_user" name="db_admin_user" value="{{DB_ADMIN_USER}}" maxlength="80">
  <label for="db_admin_defaults_file">Credentials file</label>
  <input id="db_admin_defaults_file" name="db_admin_defaults_file" value="{{DB_ADMIN_DEFAULTS_FILE}}" maxlength="1024" aria-describedby="cred-help">
  <small id="cred-help">A client option file with the administrator's password, placed on the web server by you over SSH. Aegir never asks for, stores or shows a password. Empty: socket authentication.</small>
  </fieldset>
  <button type="submit">{{SUBMIT}}</button>
</form>
