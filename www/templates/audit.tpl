{{%AUTOESCAPE context="HTML"}}<h1>Audit log</h1>
<p>Who did what, newest first. Secret values are masked.{{#FILTERED}} Only user {{USER}}'s entries: <a href="/audit">all entries</a>.{{/FILTERED}}</p>
{{#NO_ENTRIES}}<p class="empty">Nothing recorded yet.</p>{{/NO_ENTRIES}}
{{#HAS_ENTRIES}}<table class="list audit">
<thead><tr><th scope="col">#</th><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">From</th><th scope="col">Action</th><th scope="col">On</th><th scope="col">Task</th><th scope="col">Details</th></tr></thead>
<tbody>
{{#ENTRY}}<tr><td>{{ID}}</td><td>{{AT}}</td><td>{{ACTOR}}</td><td>{{ADDRESS}}</td><td>{{ACTION}}</td><td>{{#ENTITY_LINK}}<a href="{{HREF}}">{{ENTITY}}</a>{{/ENTITY_LINK}}{{#ENTITY_TEXT}}{{ENTITY}}{{/ENTITY_TEXT}}</td><td>{{#TASK}}<a href="/tasks/{{TASK_ID}}">{{TASK_ID}}</a>{{/TASK}}</td><td><code>{{DETAILS}}</code></td></tr>
{{/ENTRY}}</tbody>
</table>{{/HAS_ENTRIES}}
{{#OLDER}}<p><a href="/audit?before={{BEFORE}}{{#FOR_USER}}&amp;user={{USER}}{{/FOR_USER}}">Older entries</a></p>{{/OLDER}}
