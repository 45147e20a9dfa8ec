{{%AUTOESCAPE context="HTML"}}<nav class="crumbs"><a href="/users">Users</a> › <a href="/users/{{ID}}">{{NAME}}</a> ›</nav>
<h1>Password link for {{NAME}}</h1>
<p>Give this link to {{NAME}} in person or over a channel you trust. It is shown only now, works once, and expires in {{HOURS}} hours.</p>
<p><input class="wide" readonly value="{{URL}}" aria-label="Password link" id="password-link"></p>
<p><a href="/users/{{ID}}">Back to {{NAME}}</a></p>
