{{%AUTOESCAPE context="HTML"}}<h1>Sites</h1>
<p><a class="button" href="/sites/add">Add site</a></p>
{{#NO_SITES}}<p class="empty">No sites yet.</p>{{/NO_SITES}}
{{#HAS_SITES}}<table class="list">
<thead><tr><th scope="col">Domain</th><th scope="col">Platform</th>{{#IS_ADMIN}}<th scope="col">Server</th>{{/IS_ADMIN}}<th scope="col">Client</th><th scope="col">Status</th><th scope="col">Added (UTC)</th></tr></thead>
<tbody>
{{#SITE}}<tr><td><a href="/sites/{{ID}}">{{DOMAIN}}</a></td><td>{{#IS_ADMIN}}<a href="/platforms/{{PLATFORM_ID}}">{{PLATFORM_NAME}}</a>{{/IS_ADMIN}}{{#IS_CLIENT_USER}}{{PLATFORM_NAME}}{{/IS_CLIENT_USER}}</td>{{#IS_ADMIN}}<td>{{SERVER_NAME}}</td>{{/IS_ADMIN}}<td>{{CLIENT_NAME}}</td><td><span class="badge {{STATUS}}">{{STATUS}}</span></td><td>{{CREATED_AT}}</td></tr>
{{/SITE}}</tbody>
</table>{{/HAS_SITES}}
