{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="{{ENTITY_PATH}}">{{ENTITY_LABEL}}</a> ›</nav>
<h1>{{TITLE}}: {{ENTITY_LABEL}}</h1>
{{#ERRORS}}<div class="error" role="alert"><p>Nothing was queued:</p><ul>{{#ERROR}}<li>{{MESSAGE}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
{{#DANGER}}<p class="warning">This removes things. A backup is taken first where the operation says so.</p>{{/DANGER}}
<form method="post" action="{{ACTION}}" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  {{>FIELDS}}
  <div class="actions"><button type="submit"{{#DANGER}} class="danger"{{/DANGER}}>{{TITLE}}</button> <a href="{{ENTITY_PATH}}">Cancel</a></div>
</form>
