{{%AUTOESCAPE context="HTML"}}<h1>Servers</h1>
<p><a class="button" href="/servers/add">Add server</a></p>
<form method="get" action="/servers" class="filters" role="search" aria-label="Filter servers">
  <label for="q">Name starts with</label> <input type="search" id="q" name="q" value="{{Q}}" maxlength="64">
  <label for="status">Status</label> <select id="status" name="status"><option value="">any</option>{{#STATUS_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STATUS_OPTION}}</select>
  <button type="submit">Show</button>
</form>
{{#NARROWED}}<p class="narrowed">Only the {{NOUN}} that match (<a href="{{HREF}}">show all</a>).</p>{{/NARROWED}}
{{#NONE_YET}}<p class="empty">No servers yet. Add one: <code>localhost</code> is the machine Aegir runs on.</p>{{/NONE_YET}}
{{#NO_MATCH}}<p class="empty">No server matches.</p>{{/NO_MATCH}}
{{#NO_MORE}}<p class="empty">No more servers.</p>{{/NO_MORE}}
{{#HAS_ROWS}}<div class="scroll"><table class="list">
<thead><tr><th scope="col">Name</th><th scope="col">Host</th><th scope="col">Status</th><th scope="col">Verified</th></tr></thead>
<tbody>
{{#SERVER}}<tr><td><a href="/servers/{{ID}}">{{NAME}}</a></td><td>{{HOSTNAME}}</td><td><span class="badge {{STATUS}}">{{STATUS}}</span></td><td>{{#VERIFIED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/VERIFIED}}{{#NEVER_VERIFIED}}never{{/NEVER_VERIFIED}}</td></tr>
{{/SERVER}}</tbody>
</table></div>{{/HAS_ROWS}}
{{#PAGER}}<nav class="pager" aria-label="Pages">{{#FIRST}}<a href="{{HREF}}">First</a> {{/FIRST}}{{#PREVIOUS}}<a href="{{HREF}}" rel="prev">Previous</a> {{/PREVIOUS}}{{#NEXT}}<a href="{{HREF}}" rel="next">Next</a>{{/NEXT}}</nav>{{/PAGER}}

