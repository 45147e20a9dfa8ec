{{%AUTOESCAPE context="HTML"}}<h1>Servers</h1>
<p><a class="button" href="/servers/add">Add server</a></p>
{{#NO_SERVERS}}<p class="empty">No servers yet. Add one: <code>localhost</code> is the machine Aegir runs on.</p>{{/NO_SERVERS}}
{{#HAS_SERVERS}}<table class="list">
<thead><tr><th scope="col">Name</th><th scope="col">Host</th><th scope="col">Status</th><th scope="col">Verified at (UTC)</th></tr></thead>
<tbody>
{{#SERVER}}<tr><td><a href="/servers/{{ID}}">{{NAME}}</a></td><td>{{HOSTNAME}}</td><td><span class="badge {{STATUS}}">{{STATUS}}</span></td><td>{{VERIFIED_AT}}</td></tr>
{{/SERVER}}</tbody>
</table>{{/HAS_SERVERS}}
