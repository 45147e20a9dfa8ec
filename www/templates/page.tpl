{{%AUTOESCAPE context="HTML"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}} · Aegir</title>
<link rel="stylesheet" href="/static/style.css">
{{#REFRESH}}<noscript><meta http-equiv="refresh" content="{{SECONDS}}"></noscript>
{{/REFRESH}}{{#SCRIPT}}<script src="/static/{{NAME}}" defer></script>
{{/SCRIPT}}</head>
<body>
<header class="top">
  <a class="brand" href="/">Aegir</a>
  {{#USER}}<nav aria-label="Main">
    <a href="/"{{#NAV_DASHBOARD}} aria-current="page"{{/NAV_DASHBOARD}}>Dashboard</a>
    <a href="/servers"{{#NAV_SERVERS}} aria-current="page"{{/NAV_SERVERS}}>Servers</a>
    <a href="/platforms"{{#NAV_PLATFORMS}} aria-current="page"{{/NAV_PLATFORMS}}>Platforms</a>
    <a href="/sites"{{#NAV_SITES}} aria-current="page"{{/NAV_SITES}}>Sites</a>
    <a href="/clients"{{#NAV_CLIENTS}} aria-current="page"{{/NAV_CLIENTS}}>Clients</a>
    <a href="/tasks"{{#NAV_TASKS}} aria-current="page"{{/NAV_TASKS}}>Tasks</a>
  </nav>
  <form class="logout" method="post" action="/logout">
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <span class="who">{{NAME}}</span> <button type="submit">Log out</button>
  </form>{{/USER}}
</header>
<main>
{{>BODY}}
</main>
</body>
</html>
