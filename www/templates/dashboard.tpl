{{%AUTOESCAPE context="HTML"}}<h1>Dashboard</h1>
<ul class="stats">
  {{#IS_ADMIN}}<li><a href="/servers"><strong>{{SERVERS}}</strong> servers</a></li>
  <li><a href="/platforms"><strong>{{PLATFORMS}}</strong> platforms</a></li>{{/IS_ADMIN}}
  <li><a href="/sites"><strong>{{SITES}}</strong> sites</a></li>
  <li><a href="/tasks?state=queued"><strong>{{QUEUED}}</strong> queued</a></li>
  <li><a href="/tasks?state=running"><strong>{{RUNNING}}</strong> running</a></li>
  <li><a href="/tasks?state=failed" class="{{#FAILED_LIST}}has-failed{{/FAILED_LIST}}"><strong>{{FAILED}}</strong> failed</a></li>
</ul>
<div class="panels">
<section class="panel" aria-labelledby="running-heading" id="running">
<h2 id="running-heading">Running</h2>
{{#RUNNING_LIST_NONE}}<p class="empty">Nothing is running.</p>{{/RUNNING_LIST_NONE}}
{{#RUNNING_LIST}}<ul class="tasks">{{#TASK}}<li><a href="/tasks/{{ID}}">{{OPERATION}} #{{ID}}</a> on <a href="/{{ENTITY_TYPE}}s/{{ENTITY_ID}}">{{ENTITY_LABEL}}</a> <small>started {{#WHEN}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/WHEN}}</small></li>
{{/TASK}}</ul>{{/RUNNING_LIST}}
{{#MORE_RUNNING}}<p><a href="/tasks?state=running">All {{RUNNING}} running tasks</a></p>{{/MORE_RUNNING}}
</section>
<section class="panel" aria-labelledby="queued-heading" id="queued">
<h2 id="queued-heading">Queued</h2>
{{#QUEUED_LIST_NONE}}<p class="empty">Nothing is waiting.</p>{{/QUEUED_LIST_NONE}}
{{#QUEUED_LIST}}<ul class="tasks">{{#TASK}}<li><a href="/tasks/{{ID}}">{{OPERATION}} #{{ID}}</a> on <a href="/{{ENTITY_TYPE}}s/{{ENTITY_ID}}">{{ENTITY_LABEL}}</a> <small>queued {{#WHEN}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/WHEN}}</small></li>
{{/TASK}}</ul>{{/QUEUED_LIST}}
{{#MORE_QUEUED}}<p><a href="/tasks?state=queued">All {{QUEUED}} queued tasks</a></p>{{/MORE_QUEUED}}
</section>
<section class="panel" aria-labelledby="failed-heading" id="failed">
<h2 id="failed-heading">Failed lately</h2>
{{#FAILED_LIST_NONE}}<p class="empty">No task has failed.</p>{{/FAILED_LIST_NONE}}
{{#FAILED_LIST}}<ul class="tasks">{{#TASK}}<li><a href="/tasks/{{ID}}">{{OPERATION}} #{{ID}}</a> on <a href="/{{ENTITY_TYPE}}s/{{ENTITY_ID}}">{{ENTITY_LABEL}}</a> <small>{{#WHEN}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/WHEN}}</small>{{#REASON}}<br><small class="reason">{{TEXT}}</small>{{/REASON}}</li>
{{/TASK}}</ul>{{/FAILED_LIST}}
{{#MORE_FAILED}}<p><a href="/tasks?state=failed">All {{FAILED}} failed tasks</a></p>{{/MORE_FAILED}}
</section>
</div>
{{#SCHEDULER}}<section aria-labelledby="executors-heading" id="scheduler">
<h2 id="executors-heading">Scheduler and executors</h2>
{{#SCHEDULER_DOWN}}<p class="warning" role="status" id="scheduler-down">The scheduler did not answer ({{MESSAGE}}). Queued tasks wait until it is back; the tasks table keeps them.</p>{{/SCHEDULER_DOWN}}
{{#SCHEDULER_UP}}<p id="scheduler-state">The scheduler holds {{QUEUED}} queued and {{RUNNING}} running jobs.{{#HAS_ORPHANED}} <strong>{{ORPHANED}} running jobs lost their executor</strong> and wait for it to come back.{{/HAS_ORPHANED}}{{#TASKS_NOT_READ}} It has not read the tasks table yet (the database was not reachable).{{/TASKS_NOT_READ}}</p>
{{#NO_EXECUTORS}}<p class="warning" id="no-executors">No executor is connected: queued tasks wait until one is.</p>{{/NO_EXECUTORS}}
{{#HAS_EXECUTORS}}<div class="scroll"><table class="list" id="executors">
<caption class="visually-hidden">Executors connected to the scheduler</caption>
<thead><tr><th scope="col">Executor</th><th scope="col">Status</th><th scope="col">Runs jobs for</th><th scope="col">Jobs running</th><th scope="col">Last heartbeat</th></tr></thead>
<tbody>
{{#EXECUTOR}}<tr><th scope="row"><code>{{ID}}</code></th><td><span class="badge {{HEALTH}}">{{HEALTH}}</span></td><td>{{LABELS}}</td><td>{{RUNNING}} of {{CAPACITY}}</td><td>{{#HEARTBEAT}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/HEARTBEAT}} <small>({{HEARTBEAT_AGE}})</small></td></tr>
{{/EXECUTOR}}</tbody>
</table></div>{{/HAS_EXECUTORS}}{{/SCHEDULER_UP}}
</section>{{/SCHEDULER}}
<h2>Recent tasks</h2>
{{>TASK_TABLE}}
<p><a href="/tasks">All tasks</a></p>
