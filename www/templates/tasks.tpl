{{%AUTOESCAPE context="HTML"}}<h1>Tasks</h1>
{{>TASK_TABLE}}
{{#OLDER}}<p><a href="/tasks?before={{BEFORE}}">Older tasks</a></p>{{/OLDER}}
