{{%AUTOESCAPE context="HTML"}}<h1>{{HEADING}}</h1>
<p class="error" role="alert">{{MESSAGE}}</p>
<p><a href="{{BACK}}">Go back</a></p>
