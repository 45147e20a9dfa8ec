{{%AUTOESCAPE context="HTML"}}{{#NO_TASKS}}<p class="empty">No tasks yet.</p>{{/NO_TASKS}}{{#HAS_TASKS}}<div class="scroll"><table class="list">
<thead><tr><th scope="col">#</th><th scope="col">Operation</th><th scope="col">On</th><th scope="col">State</th><th scope="col">Queued</th><th scope="col">By</th></tr></thead>
<tbody>
{{#TASK}}<tr><td><a href="/tasks/{{ID}}">{{ID}}</a></td><td><a href="/tasks/{{ID}}">{{OPERATION}}</a></td><td><a href="/{{ENTITY_TYPE}}s/{{ENTITY_ID}}">{{ENTITY_LABEL}}</a></td><td><span class="badge {{STATE}}">{{STATE}}</span></td><td>{{#CREATED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/CREATED}}</td><td>{{CREATED_BY}}</td></tr>
{{/TASK}}</tbody>
</table></div>{{/HAS_TASKS}}
