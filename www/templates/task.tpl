{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/tasks">Tasks</a> ›</nav>
<h1>{{OPERATION}} #{{ID}}</h1>
<dl class="facts">
  <dt>On</dt><dd><a href="/{{ENTITY_TYPE}}s/{{ENTITY_ID}}">{{ENTITY_LABEL}}</a></dd>
  <dt>State</dt><dd><span class="badge {{STATE}}" id="task-state">{{STATE}}</span></dd>
  <dt>Queued (UTC)</dt><dd>{{CREATED_AT}}</dd>
  <dt>Started (UTC)</dt><dd id="task-started">{{STARTED_AT}}</dd>
  <dt>Ended (UTC)</dt><dd id="task-finished">{{FINISHED_AT}}</dd>
  <dt>Exit code</dt><dd id="task-exit">{{EXIT_CODE}}</dd>
  <dt>By</dt><dd>{{CREATED_BY}}</dd>
</dl>
{{#REASON}}<p class="error" role="alert" id="task-reason">{{TEXT}}</p>{{/REASON}}
{{#HAS_RESULTS}}<h2>Results</h2>
<dl class="facts">{{#RESULT}}<dt>{{LABEL}}</dt><dd id="result-{{KEY}}">{{#PLAIN}}{{VALUE}}{{/PLAIN}}{{#LINK}}<a href="{{URL}}">{{URL}}</a>{{/LINK}}</dd>
{{/RESULT}}</dl>{{/HAS_RESULTS}}
<h2>Log</h2>
{{#EARLIER}}<p><a href="/tasks/{{ID}}?after={{PREV_AFTER}}">Earlier lines</a></p>{{/EARLIER}}
<pre class="log" id="log" data-task="{{ID}}" data-after="{{LAST_SEQ}}" data-live="{{LIVE}}">{{#LINE}}<span class="line" data-seq="{{SEQ}}">{{TEXT}}</span>
{{/LINE}}</pre>
{{#NO_LINES}}<p class="empty" id="log-empty">No output yet.</p>{{/NO_LINES}}
{{#MORE}}<p><a href="/tasks/{{ID}}?after={{LAST_SEQ}}">Later lines</a></p>{{/MORE}}
