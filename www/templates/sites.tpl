{{%AUTOESCAPE context="HTML"}}<h1>Sites</h1>
<p><a class="button" href="/sites/add">Add site</a></p>
<form method="get" action="/sites" class="filters" role="search">
  <label for="q">Domain starts with</label> <input type="search" id="q" name="q" value="{{Q}}" maxlength="253">
  <label for="status">Status</label> <select id="status" name="status"><option value="">any</option>{{#STATUS_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/STATUS_OPTION}}</select>
  {{#PLATFORM_FILTER}}<input type="hidden" name="platform" value="{{ID}}">{{/PLATFORM_FILTER}}{{#CLIENT_FILTER}}<input type="hidden" name="client" value="{{ID}}">{{/CLIENT_FILTER}}
  <button type="submit">Show</button>
</form>
<p class="hint">The search finds the sites whose domain starts with what you type (blog finds blog.example.org, not myblog.example.org). 50 sites a page, by domain.</p>
{{#NARROWED}}<p class="narrowed">Only the sites {{WHAT}} (<a href="{{HREF}}">remove this</a>).</p>
{{/NARROWED}}
{{#NO_SITES}}<p class="empty">No sites yet.</p>{{/NO_SITES}}
{{#NO_MATCH}}<p class="empty">No site matches.</p>{{/NO_MATCH}}
{{#NO_MORE_SITES}}<p class="empty">No more sites.</p>{{/NO_MORE_SITES}}
{{#HAS_SITES}}<div class="scroll"><table class="list">
<thead><tr><th scope="col">Domain</th><th scope="col">Platform</th>{{#IS_ADMIN}}<th scope="col">Server</th>{{/IS_ADMIN}}<th scope="col">Client</th><th scope="col">Status</th><th scope="col">Added</th></tr></thead>
<tbody>
{{ROWS:none}}</tbody>
</table></div>{{/HAS_SITES}}
{{#PAGER}}<nav class="pager" aria-label="Pages">{{#FIRST}}<a href="{{HREF}}">First</a> {{/FIRST}}{{#PREVIOUS}}<a href="{{HREF}}" rel="prev">Previous</a> {{/PREVIOUS}}{{#NEXT}}<a href="{{HREF}}" rel="next">Next</a>{{/NEXT}}</nav>{{/PAGER}}
