{{%AUTOESCAPE context="HTML"}}<h1>Log in</h1>
{{#ERROR}}<p class="error" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<form method="post" action="/login" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <label for="name">User name</label>
  <input id="name" name="name" value="{{NAME}}" autocomplete="username" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
</form>
