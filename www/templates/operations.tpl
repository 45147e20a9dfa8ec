{{%AUTOESCAPE context="HTML"}}<div class="operations">
{{#NO_OPERATIONS}}<p class="empty">No operations.</p>{{/NO_OPERATIONS}}
{{#OPERATION}}{{#DIRECT}}<form method="post" action="{{PATH}}">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <button type="submit">{{OP_TITLE}}</button>
</form>
{{/DIRECT}}{{#WITH_FORM}}<a class="{{CLASS}}" href="{{PATH}}">{{OP_TITLE}}…</a>
{{/WITH_FORM}}{{/OPERATION}}</div>
