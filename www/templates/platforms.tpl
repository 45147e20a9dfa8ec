{{%AUTOESCAPE context="HTML"}}<h1>Platforms</h1>
<p><a class="button" href="/platforms/add">Add platform</a></p>
{{#NO_PLATFORMS}}<p class="empty">No platforms yet. A platform is a codebase (WordPress, Drupal, any PHP) on a web server; sites live on it.</p>{{/NO_PLATFORMS}}
{{#HAS_PLATFORMS}}<table class="list">
<thead><tr><th scope="col">Name</th><th scope="col">Distribution</th><th scope="col">Server</th><th scope="col">Sites</th><th scope="col">Status</th></tr></thead>
<tbody>
{{#PLATFORM}}<tr><td><a href="/platforms/{{ID}}">{{NAME}}</a></td><td>{{DISTRIBUTION}}</td><td><a href="/servers/{{SERVER_ID}}">{{SERVER_NAME}}</a></td><td><a href="/sites?platform={{ID}}">{{SITES}}</a></td><td><span class="badge {{STATUS}}">{{STATUS}}</span></td></tr>
{{/PLATFORM}}</tbody>
</table>{{/HAS_PLATFORMS}}
