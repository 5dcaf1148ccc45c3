"""The programme editor's forms: what each form of the page posts, checked field by field (Django forms),
before a service is asked to change anything. The page writes its own HTML (one form per exercise, with
ids the error summary links to); ``html_id`` names the form element a mistake is shown at.

The services check what only the programme can tell (the exercise's safe range, a block, a clearance that
does not apply); the view adds their refusal to the form with ``add_error``, so both kinds of mistake
reach the page the same way: the first one, at its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from backhome.web.clinic.editor.choices import CLEARABLE
from backhome.web.clinic.editor.services import clean_why
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.models import Monitoring

#: The fields whose own element the error summary links to (else it links to the form).
LINKED_FIELDS = ("sets", "reps", "hold_s", "why", "note")


class WhyField(forms.CharField):
    """The clinician's reason: required, shown to the patient with the change (``clean_why``)."""

    def __init__(self) -> None:
        super().__init__(required=False, strip=False)

    def clean(self, value: Any) -> str:
        try:
            return clean_why(super().clean(value))
        except ClinicError as problem:
            raise forms.ValidationError(problem.message, code="why") from None


class WholeNumberField(forms.IntegerField):
    """Digits 0-9 only: Python's ``int`` also reads other scripts' digits ("３", "٣"), which a clinician
    never means to type and which would be stored as a dose unseen."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip() and not value.strip().isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _whole_number(label: str) -> forms.IntegerField:
    """A count of sets, repetitions or seconds: a whole number. No bounds here: the service refuses a
    number outside the exercise's own range naming that range ("Repetitions: 5 to 15 for ..."), which is
    what a clinician who typed 10000 needs to read."""
    message = f"{label}: give a whole number."
    return WholeNumberField(error_messages={"required": message, "invalid": message})


#: A value no exercise id can be (a NUL, say) is named as the exercise field's mistake.
EXERCISE_MESSAGES = {"null_characters_not_allowed": "Exercise: choose one of the library's exercises."}


class EditorForm(forms.Form):
    """A form of the editor: every one carries the clinician's reason, checked first."""

    why = WhyField()
    #: The programme's version when the page was read (``services.programme_version``); a page always
    #: sends it, and a stale one is refused with what changed since.
    version = forms.CharField(required=False, max_length=64)

    def clean_version(self) -> str | None:
        return self.cleaned_data.get("version") or None

    def html_id(self) -> str:
        """The id of the page's form element that posted this (where its mistake is shown)."""
        raise NotImplementedError

    def first_error(self) -> tuple[str, str]:
        """The first mistake, as (field, message); a mistake of the whole form has the field ''."""
        for field, errors in self.errors.items():
            return ("" if field == NON_FIELD_ERRORS else field), str(errors[0])
        raise ValueError("the form has no mistake")

    def error_target(self) -> str:
        """The id the error summary links to: the field at fault, else its form."""
        field, _ = self.first_error()
        if field in LINKED_FIELDS:
            return f"{self.html_id()}-{field}"
        if field == "monitoring":
            return "monitoring-monitoring"
        return self.html_id()

    def _posted(self, name: str) -> str:
        return str(self.data.get(name, ""))


class DoseForm(EditorForm):
    exercise = forms.CharField(required=False, error_messages=EXERCISE_MESSAGES)
    sets = _whole_number("Sets")
    reps = _whole_number("Repetitions")
    hold_s = _whole_number("Hold")

    def html_id(self) -> str:
        return f"dose-{self._posted('exercise')}"


class RemoveForm(EditorForm):
    exercise = forms.CharField(required=False, error_messages=EXERCISE_MESSAGES)

    def html_id(self) -> str:
        return f"remove-{self._posted('exercise')}"


class AddForm(EditorForm):
    """Add an exercise of the library, or put back a stopped one (``form=put-back``)."""

    exercise = forms.CharField(required=False, error_messages=EXERCISE_MESSAGES)
    form = forms.CharField(required=False)

    def html_id(self) -> str:
        return f"add-{self._posted('exercise')}" if self._posted("form") == "put-back" else "add-new"


class MonitoringForm(EditorForm):
    monitoring = forms.ChoiceField(
        choices=Monitoring.choices,
        error_messages={
            "required": "Choose strict or monitored.",
            "invalid_choice": "Choose strict or monitored.",
        },
    )

    def html_id(self) -> str:
        return "monitoring"


class ClearanceForm(EditorForm):
    """Give a clearance, or withdraw it (``cleared=no``)."""

    rule = forms.ChoiceField(
        choices=[(rule, rule) for rule in CLEARABLE],
        error_messages={
            "required": "Choose one of the clearances: EL-02, EL-03, EL-04 or EL-05.",
            "invalid_choice": "Choose one of the clearances: EL-02, EL-03, EL-04 or EL-05.",
        },
    )
    cleared = forms.CharField(required=False)

    def clean_cleared(self) -> bool:
        return self.cleaned_data.get("cleared") != "no"

    def html_id(self) -> str:
        verb = "withdraw" if self._posted("cleared") == "no" else "give"
        return f"{verb}-{self._posted('rule')}"


class OverrideForm(EditorForm):
    """Override the block of a held-back exercise (B26): a private clinical note and the patient's why."""

    exercise = forms.CharField(required=False, error_messages=EXERCISE_MESSAGES)
    note = forms.CharField(required=False, strip=False)

    def html_id(self) -> str:
        return "override"


class UnlockForm(EditorForm):
    def html_id(self) -> str:
        return "unlock"
