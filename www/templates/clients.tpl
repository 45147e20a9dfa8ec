{{%AUTOESCAPE context="HTML"}}<h1>Clients</h1>
<p>A client owns sites. Its users (client users) see and act only on its sites; its page says which platforms they may use.</p>
<form method="get" action="/clients" class="filters" role="search" aria-label="Filter clients">
  <label for="q">Name starts with</label> <input type="search" id="q" name="q" value="{{Q}}" maxlength="64">
  <button type="submit">Show</button>
</form>
{{#NARROWED}}<p class="narrowed">Only the {{NOUN}} that match (<a href="{{HREF}}">show all</a>).</p>{{/NARROWED}}
{{#NONE_YET}}<p class="empty">No clients yet.</p>{{/NONE_YET}}
{{#NO_MATCH}}<p class="empty">No client matches.</p>{{/NO_MATCH}}
{{#NO_MORE}}<p class="empty">No more clients.</p>{{/NO_MORE}}
<ul>{{#CLIENT}}<li><a href="/clients/{{ID}}">{{NAME}}</a></li>{{/CLIENT}}</ul>
{{#PAGER}}<nav class="pager" aria-label="Pages">{{#FIRST}}<a href="{{HREF}}">First</a> {{/FIRST}}{{#PREVIOUS}}<a href="{{HREF}}" rel="prev">Previous</a> {{/PREVIOUS}}{{#NEXT}}<a href="{{HREF}}" rel="next">Next</a>{{/NEXT}}</nav>{{/PAGER}}
<h2>Add a client</h2>
{{#ERRORS}}<div class="error" role="alert"><p>The client was not added:</p><ul>{{#ERROR}}<li>{{#LINK}}<a href="{{HREF}}">{{/LINK}}{{MESSAGE}}{{#LINK}}</a>{{/LINK}}</li>{{/ERROR}}</ul></div>{{/ERRORS}}
<form method="post" action="/clients" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="name">Name</label>
  <input id="name" name="name" value="{{NAME}}" required maxlength="64"{{#ERR_NAME}} aria-invalid="true" aria-describedby="name-error"{{/ERR_NAME}}>
  {{#ERR_NAME}}<p class="field-error" id="name-error">{{MESSAGE}}</p>{{/ERR_NAME}}
  <button type="submit">Add client</button>
</form>
