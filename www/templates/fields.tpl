{{%AUTOESCAPE context="HTML"}}{{#FIELD}}<div class="field">
  <label for="f-{{NAME}}">{{LABEL}}</label>
  {{#TEXT}}<input id="f-{{NAME}}" name="{{NAME}}" type="{{INPUT_TYPE}}" value="{{VALUE}}" maxlength="1024"{{#REQUIRED}} required{{/REQUIRED}} aria-describedby="h-{{NAME}}{{#INVALID}} e-{{NAME}}{{/INVALID}}"{{#INVALID}} aria-invalid="true"{{/INVALID}}>{{/TEXT}}
  {{#TEXTAREA}}<textarea id="f-{{NAME}}" name="{{NAME}}" rows="3" aria-describedby="h-{{NAME}}{{#INVALID}} e-{{NAME}}{{/INVALID}}"{{#INVALID}} aria-invalid="true"{{/INVALID}}>{{VALUE:pre_escape}}</textarea>{{/TEXTAREA}}
  {{#CHECKBOX}}<input type="hidden" name="{{NAME}}__present" value="1"><input id="f-{{NAME}}" name="{{NAME}}" type="checkbox" value="on"{{#CHECKED}} checked{{/CHECKED}} aria-describedby="h-{{NAME}}{{#INVALID}} e-{{NAME}}{{/INVALID}}"{{#INVALID}} aria-invalid="true"{{/INVALID}}>{{/CHECKBOX}}
  {{#SELECT}}{{#NO_CHOICES}}<p class="error">There is nothing to choose from yet.</p>{{/NO_CHOICES}}<select id="f-{{NAME}}" name="{{NAME}}"{{#REQUIRED}} required{{/REQUIRED}} aria-describedby="h-{{NAME}}{{#INVALID}} e-{{NAME}}{{/INVALID}}"{{#INVALID}} aria-invalid="true"{{/INVALID}}>{{#CHOICE}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/CHOICE}}</select>{{/SELECT}}
  <small id="h-{{NAME}}">{{HELP}}</small>
  {{#FIELD_ERROR}}<p class="field-error" id="e-{{NAME}}">{{MESSAGE}}</p>{{/FIELD_ERROR}}
</div>
{{/FIELD}}
