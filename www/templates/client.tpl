{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/clients">Clients</a> ›</nav>
<h1>{{NAME}}</h1>
<h2>Sites ({{SITE_COUNT}})</h2>
{{#NO_SITES}}<p class="empty">This client has no sites.</p>{{/NO_SITES}}
<ul>{{#SITE}}<li><a href="/sites/{{ID}}">{{DOMAIN}}</a> <span class="badge {{STATUS}}">{{STATUS}}</span></li>{{/SITE}}</ul>
{{#ALL_SITES}}<p>The first {{SHOWN}} of {{COUNT}} sites by domain: <a href="{{HREF}}">all {{COUNT}} sites of this client</a>.</p>{{/ALL_SITES}}
<h2>Users</h2>
{{#NO_USERS}}<p class="empty">No user acts for this client; <a href="/users#add">add one</a>.</p>{{/NO_USERS}}
<ul>{{#USER_ROW}}<li><a href="/users/{{ID}}">{{NAME}}</a> ({{STATE}})</li>{{/USER_ROW}}</ul>
<h2>Platforms its users may use</h2>
{{#NO_PLATFORMS}}<p class="empty">There are no platforms yet.</p>{{/NO_PLATFORMS}}
<form method="post" action="/clients/{{ID}}/platforms" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <fieldset><legend>New sites, clones and migrations of this client's users may go to</legend>
  {{#PLATFORM}}<label><input type="checkbox" name="platform_{{ID}}" value="1"{{#CHECKED}} checked{{/CHECKED}}> {{NAME}} <small>on {{SERVER}}, {{STATUS}}</small></label>
  {{/PLATFORM}}</fieldset>
  <button type="submit">Save platforms</button>
</form>
