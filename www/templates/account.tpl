{{%AUTOESCAPE context="HTML"}}<h1>Your account</h1>
<p>You are logged in as <strong>{{NAME}}</strong>.</p>
<h2>Change your password</h2>
{{#NOTICE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/NOTICE}}
{{#ERROR}}<p class="error" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<form method="post" action="/account/password" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <input type="text" name="username" value="{{NAME}}" autocomplete="username" hidden>
  <label for="current">Current password</label>
  <input id="current" name="current" type="password" autocomplete="current-password" required>
  <label for="password">New password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="1024">
  <label for="repeat">Once more</label>
  <input id="repeat" name="repeat" type="password" autocomplete="new-password" required minlength="12" maxlength="1024">
  <button type="submit">Change password</button>
</form>
<p>Changing it logs you out everywhere else.</p>
