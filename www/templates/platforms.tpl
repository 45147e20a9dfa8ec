{{%AUTOESCAPE context="HTML"}}<h1>Platforms</h1>
<p><a class="button" href="/platforms/add">Add platform</a></p>
<form method="get" action="/platforms" class="filters" role="search" aria-label="Filter platforms">
  <label for="q">Name starts with</label> <input type="search" id="q" name="q" value="{{Q}}" maxlength="64">
  <label for="status">Status</label> <select id="status" name="status"><option value="">any</option>{{#STATUS_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STATUS_OPTION}}</select>
  <button type="submit">Show</button>
</form>
{{#NARROWED}}<p class="narrowed">Only the {{NOUN}} that match (<a href="{{HREF}}">show all</a>).</p>{{/NARROWED}}
{{#NONE_YET}}<p class="empty">No platforms yet. A platform is a codebase (WordPress, Drupal, any PHP) on a web server; sites live on it.</p>{{/NONE_YET}}
{{#NO_MATCH}}<p class="empty">No platform matches.</p>{{/NO_MATCH}}
{{#NO_MORE}}<p class="empty">No more platforms.</p>{{/NO_MORE}}
{{#HAS_ROWS}}<div class="scroll"><table class="list">
<thead><tr><th scope="col">Name</th><th scope="col">Distribution</th><th scope="col">Server</th><th scope="col">Sites</th><th scope="col">Status</th></tr></thead>
<tbody>
{{#PLATFORM}}<tr><td><a href="/platforms/{{ID}}">{{NAME}}</a></td><td>{{DISTRIBUTION}}</td><td><a href="/servers/{{SERVER_ID}}">{{SERVER_NAME}}</a></td><td><a href="/sites?platform={{ID}}">{{SITES}}</a></td><td><span class="badge {{STATUS}}">{{STATUS}}</span></td></tr>
{{/PLATFORM}}</tbody>
</table></div>{{/HAS_ROWS}}
{{#PAGER}}<nav class="pager" aria-label="Pages">{{#FIRST}}<a href="{{HREF}}">First</a> {{/FIRST}}{{#PREVIOUS}}<a href="{{HREF}}" rel="prev">Previous</a> {{/PREVIOUS}}{{#NEXT}}<a href="{{HREF}}" rel="next">Next</a>{{/NEXT}}</nav>{{/PAGER}}

