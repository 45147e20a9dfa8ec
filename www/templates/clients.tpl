{{%AUTOESCAPE context="HTML"}}<h1>Clients</h1>
<p>A client owns sites. Its users (client users) see and act only on its sites; its page says which platforms they may use.</p>
<ul>{{#CLIENT}}<li><a href="/clients/{{ID}}">{{NAME}}</a></li>{{/CLIENT}}</ul>
<h2>Add a client</h2>
{{#ERROR}}<p class="error" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<form method="post" action="/clients" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="name">Name</label>
  <input id="name" name="name" value="{{NAME}}" required maxlength="64">
  <button type="submit">Add client</button>
</form>
