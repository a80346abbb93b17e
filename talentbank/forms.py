"""The base of every form: hands a frozen dataclass to services and takes their field errors back."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from talentbank import text


class BaseForm(FlaskForm):
    """Every text field (StringField and its kinds: e-mail, URL, password, search) takes one line and
    a TextAreaField several; both refuse the characters `talentbank.text` names, as a field error."""

    #: The frozen dataclass that `to_input` fills from the form's fields of the same names.
    input_class: ClassVar[type | None] = None

    def validate(self, extra_validators: Any = None) -> bool:
        is_valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field, StringField) or not isinstance(field.data, str):
                continue
            character = text.unreadable_character(field.data, multiline=isinstance(field, TextAreaField))
            if character:
                field.errors = [*field.errors, text.message(str(field.label.text), character)]
                is_valid = False
        return is_valid

    def to_input(self) -> Any:
        assert self.input_class is not None, f"{type(self).__name__} has no input_class"
        names = [field.name for field in dataclasses.fields(self.input_class)]
        return self.input_class(**{name: getattr(self, name).data for name in names})

    def set_errors(self, fields: dict[str, str]) -> None:
        """Attach a service's `Invalid.fields` to the matching form fields (unknown names go to `form_errors`)."""
        for name, message in fields.items():
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
