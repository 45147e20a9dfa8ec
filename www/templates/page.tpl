{{%AUTOESCAPE context="HTML"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}} · Aegir</title>
<link rel="stylesheet" href="/static/style.css">
{{#REFRESH}}<noscript><meta http-equiv="refresh" content="{{SECONDS}}"></noscript>
{{/REFRESH}}<script src="/static/time.js" defer></script>
{{#SCRIPT}}<script src="/static/{{NAME}}" defer></script>
{{/SCRIPT}}</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="top">
  <a class="brand" href="/">Aegir</a>
  {{#USER}}<nav aria-label="Main">
    <a href="/"{{#NAV_DASHBOARD}} aria-current="page"{{/NAV_DASHBOARD}}>Dashboard</a>
    {{#IS_ADMIN}}<a href="/servers"{{#NAV_SERVERS}} aria-current="page"{{/NAV_SERVERS}}>Servers</a>
    <a href="/platforms"{{#NAV_PLATFORMS}} aria-current="page"{{/NAV_PLATFORMS}}>Platforms</a>{{/IS_ADMIN}}
    <a href="/sites"{{#NAV_SITES}} aria-current="page"{{/NAV_SITES}}>Sites</a>
    {{#IS_ADMIN}}<a href="/clients"{{#NAV_CLIENTS}} aria-current="page"{{/NAV_CLIENTS}}>Clients</a>{{/IS_ADMIN}}
    <a href="/tasks"{{#NAV_TASKS}} aria-current="page"{{/NAV_TASKS}}>Tasks</a>
    {{#IS_ADMIN}}<a href="/users"{{#NAV_USERS}} aria-current="page"{{/NAV_USERS}}>Users</a>
    <a href="/audit"{{#NAV_AUDIT}} aria-current="page"{{/NAV_AUDIT}}>Audit</a>{{/IS_ADMIN}}
  </nav>
  <form class="logout" method="post" action="/logout">
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <a class="who" href="/account"{{#NAV_ACCOUNT}} aria-current="page"{{/NAV_ACCOUNT}}>{{NAME}}</a> <button type="submit">Log out</button>
  </form>{{/USER}}
</header>
<main id="main" tabindex="-1">
{{#FLASH}}<p class="flash" role="status" id="flash">{{MESSAGE}}</p>
{{/FLASH}}{{>BODY}}
</main>
</body>
</html>
