{{%AUTOESCAPE context="HTML"}}<h1>{{TITLE}}</h1>
<p role="status">{{MESSAGE}}</p>
<p><a href="{{LINK}}">{{LINK_TEXT}}</a></p>
