{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/tasks">Tasks</a> ›</nav>
<h1>{{OPERATION}} #{{ID}}</h1>
<dl class="facts">
  <dt>On</dt><dd><a href="/{{ENTITY_TYPE}}s/{{ENTITY_ID}}">{{ENTITY_LABEL}}</a></dd>
  <dt>State</dt><dd aria-live="polite"><span class="badge {{STATE}}" id="task-state">{{STATE}}</span></dd>
  <dt>Queued</dt><dd>{{#CREATED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/CREATED}}</dd>
  <dt>Started</dt><dd id="task-started">{{#STARTED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/STARTED}}</dd>
  <dt>Ended</dt><dd id="task-finished">{{#FINISHED}}<time datetime="{{ISO}}" title="{{AT}} UTC">{{AGO}}</time>{{/FINISHED}}</dd>
  <dt>Duration</dt><dd id="task-duration">{{DURATION}}</dd>
  <dt>Exit code</dt><dd id="task-exit">{{EXIT_CODE}}</dd>
  <dt>By</dt><dd>{{CREATED_BY}}</dd>
</dl>
{{#CANCEL}}<form method="post" action="/tasks/{{ID}}/cancel" class="inline" id="task-cancel">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <button type="submit" class="danger">{{LABEL}}</button>
</form>{{/CANCEL}}
{{#AGAIN}}<p><a class="button" id="task-again" href="/{{ENTITY_TYPE}}s/{{ENTITY_ID}}/run/{{OPERATION_NAME}}?from={{ID}}">Run again…</a></p>{{/AGAIN}}
{{#REASON}}<p class="error" role="alert" id="task-reason">{{TEXT}}</p>{{/REASON}}
{{#RECAP}}<h2>Recap</h2>
<table class="list recap" id="recap">
<thead><tr><th scope="col">Host</th><th scope="col">ok</th><th scope="col">changed</th><th scope="col">unreachable</th><th scope="col">failed</th><th scope="col">skipped</th><th scope="col">rescued</th><th scope="col">ignored</th></tr></thead>
<tbody>{{#HOST}}<tr class="{{CLASS}}"><th scope="row">{{NAME}}</th><td>{{OK}}</td><td>{{CHANGED}}</td><td>{{UNREACHABLE}}</td><td>{{FAILED}}</td><td>{{SKIPPED}}</td><td>{{RESCUED}}</td><td>{{IGNORED}}</td></tr>
{{/HOST}}</tbody>
</table>{{/RECAP}}
{{#HAS_RESULTS}}<h2>Results</h2>
<dl class="facts">{{#RESULT}}<dt>{{LABEL}}</dt><dd id="result-{{KEY}}">{{#PLAIN}}{{VALUE}}{{/PLAIN}}{{#LINK}}<a href="{{URL}}">{{URL}}</a>{{/LINK}}</dd>
{{/RESULT}}</dl>{{/HAS_RESULTS}}
<h2>Log</h2>
{{#EARLIER}}<p><a href="/tasks/{{ID}}?after={{PREV_AFTER}}">Earlier lines</a></p>{{/EARLIER}}
<pre class="log" id="log" data-task="{{ID}}" data-after="{{LAST_SEQ}}" data-live="{{LIVE}}" role="log" aria-live="polite" aria-label="Output of task {{ID}}" tabindex="0">{{#LINE}}<span class="line" data-seq="{{SEQ}}">{{TEXT}}</span>
{{/LINE}}</pre>
{{#NO_LINES}}<p class="empty" id="log-empty">No output yet.</p>{{/NO_LINES}}
{{#MORE}}<p><a href="/tasks/{{ID}}?after={{LAST_SEQ}}" id="log-later">Later lines</a> · <a href="/tasks/{{ID}}?after={{LAST_PAGE}}" id="log-last">Last lines</a></p>{{/MORE}}
