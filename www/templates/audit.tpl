{{%AUTOESCAPE context="HTML"}}<h1>Audit log</h1>
<p>Who did what, newest first, 100 a page. Secret values are masked.</p>
<form method="get" action="/audit" class="filters" role="search" aria-label="Filter the audit log">
  <label for="action">Action</label> <input type="search" id="action" name="action" value="{{ACTION_FILTER}}" maxlength="64" aria-describedby="action-help">
  {{#USER_FILTER}}<input type="hidden" name="user" value="{{USER}}">{{/USER_FILTER}}{{#ENTITY_FILTER}}<input type="hidden" name="{{TYPE}}" value="{{ID}}">{{/ENTITY_FILTER}}
  <button type="submit">Show</button>
</form>
<p class="hint" id="action-help">An action as the log names it, e.g. <code>login-failed</code>, <code>site-add</code>, <code>operation</code>.</p>
{{#NARROWED}}<p class="narrowed">Only the entries {{WHAT}} (<a href="{{HREF}}">remove this</a>).</p>
{{/NARROWED}}
{{#NO_ENTRIES}}<p class="empty">Nothing recorded yet.</p>{{/NO_ENTRIES}}
{{#NO_MATCH}}<p class="empty">No entry matches.</p>{{/NO_MATCH}}
{{#NO_MORE}}<p class="empty">No older entries.</p>{{/NO_MORE}}
{{#HAS_ENTRIES}}<div class="scroll"><table class="list audit">
<thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">From</th><th scope="col">Action</th><th scope="col">On</th><th scope="col">Task</th><th scope="col">Details</th></tr></thead>
<tbody>
{{#ENTRY}}<tr><td>{{ID}}</td><td>{{#WHEN}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/WHEN}}</td><td>{{ACTOR}}</td><td>{{ADDRESS}}</td><td>{{ACTION}}</td><td>{{#ENTITY_LINK}}<a href="{{HREF}}">{{ENTITY}}</a>{{/ENTITY_LINK}}{{#ENTITY_TEXT}}{{ENTITY}}{{/ENTITY_TEXT}}</td><td>{{#TASK}}<a href="/tasks/{{TASK_ID}}">{{TASK_ID}}</a>{{/TASK}}</td><td><code>{{DETAILS}}</code></td></tr>
{{/ENTRY}}</tbody>
</table></div>{{/HAS_ENTRIES}}
{{#PAGER}}<nav class="pager" aria-label="Pages">{{#NEWEST}}<a href="{{HREF}}">Newest</a> {{/NEWEST}}{{#NEWER}}<a href="{{HREF}}" rel="prev">Newer entries</a> {{/NEWER}}{{#OLDER}}<a href="{{HREF}}" rel="next">Older entries</a>{{/OLDER}}</nav>{{/PAGER}}
