{{%AUTOESCAPE context="HTML"}}<h1>Set your password</h1>
<p>For the user <strong>{{NAME}}</strong>. At least 12 characters; a few unrelated words make a good one.</p>
{{#ERROR}}<p class="error" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<form method="post" action="{{ACTION}}" class="form narrow">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <input type="text" name="username" value="{{NAME}}" autocomplete="username" hidden>
  <label for="password">New password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="1024">
  <label for="repeat">Once more</label>
  <input id="repeat" name="repeat" type="password" autocomplete="new-password" required minlength="12" maxlength="1024">
  <button type="submit">Set password</button>
</form>
