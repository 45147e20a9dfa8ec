{{%AUTOESCAPE context="HTML"}}<h1>Tasks</h1>
<form method="get" action="/tasks" class="filters" role="search" aria-label="Filter tasks">
  <label for="state">State</label> <select id="state" name="state"><option value="">any</option>{{#STATE_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/STATE_OPTION}}</select>
  <label for="operation">Operation</label> <select id="operation" name="operation"><option value="">any</option>{{#OPERATION_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/OPERATION_OPTION}}</select>
  {{#ENTITY_FILTER}}<input type="hidden" name="{{TYPE}}" value="{{ID}}">{{/ENTITY_FILTER}}
  <button type="submit">Show</button>
</form>
<p class="hint">Newest first, 50 a page.</p>
{{#NARROWED}}<p class="narrowed">Only the tasks {{WHAT}} (<a href="{{HREF}}">remove this</a>).</p>
{{/NARROWED}}
{{#NO_TASKS_AT_ALL}}<p class="empty">No tasks yet.</p>{{/NO_TASKS_AT_ALL}}
{{#NO_MATCH}}<p class="empty">No task matches.</p>{{/NO_MATCH}}
{{#NO_MORE_TASKS}}<p class="empty">No older tasks.</p>{{/NO_MORE_TASKS}}
{{>TASK_TABLE}}
{{#PAGER}}<nav class="pager" aria-label="Pages">{{#NEWEST}}<a href="{{HREF}}">Newest</a> {{/NEWEST}}{{#NEWER}}<a href="{{HREF}}" rel="prev">Newer tasks</a> {{/NEWER}}{{#OLDER}}<a href="{{HREF}}" rel="next">Older tasks</a>{{/OLDER}}</nav>{{/PAGER}}
