"""The reminders' settings form: types, ranges and the few choices that go together; nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from backhome.web.reminders.models import ReminderSettings
from backhome.web.reminders.selectors import DAY_NAMES, time_zones

YES_NO = (("yes", "Yes"), ("no", "No"))


class TimeInput(forms.TimeInput):
    """The browser's own time picker (Django's ``TimeInput`` is a text box)."""

    input_type = "time"


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zones()]


class ReminderForm(forms.Form):
    session_days = forms.TypedMultipleChoiceField(
        label="On which days do you mean to do your exercises?",
        choices=[(str(i), name) for i, name in enumerate(DAY_NAMES)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day."},
    )
    session_time = forms.TimeField(
        label="At what time?",
        widget=TimeInput,
        help_text="For example 18:00. Your calendar and the emails use this time.",
        error_messages={
            "required": "Give a time, for example 18:00.",
            "invalid": "Give a time, for example 18:00.",
        },
    )
    checkin_time = forms.TimeField(
        label="At what time do you do your morning check-in?",
        widget=TimeInput,
        help_text="The morning after each exercise day, before you exercise. For example 08:00.",
        error_messages={
            "required": "Give a time, for example 08:00.",
            "invalid": "Give a time, for example 08:00.",
        },
    )
    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=time_zone_choices,
        help_text="The times above are times where you live.",
        error_messages={"invalid_choice": "Choose your time zone from the list."},
    )
    email_on = forms.ChoiceField(
        label="Do you want reminders by email?", choices=YES_NO, widget=forms.RadioSelect
    )
    email = forms.EmailField(
        label="Your email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Give an email address like name@example.com."},
    )
    email_sessions = forms.BooleanField(label="Before my exercises", required=False)
    email_checkins = forms.BooleanField(label="For my morning check-in", required=False)
    daily_limit = forms.TypedChoiceField(
        label="How many emails a day, at most?",
        choices=[(str(value), label) for value, label in ReminderSettings.Limit.choices],
        coerce=int,
        widget=forms.RadioSelect,
    )
    only_if_not_logged = forms.BooleanField(label="Only if I have not done it yet that day", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("session_time", "checkin_time", "email", "time_zone"):
            self.fields[name].widget.attrs["class"] = "field-input"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        for name in ("session_time", "checkin_time", "email", "time_zone"):
            field = self.fields[name]
            described = [f"id_{name}_helptext"] if field.help_text else []
            if self.is_bound and name in self.errors:
                described.append(f"id_{name}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def clean_session_time(self) -> dt.time:
        value: dt.time = self.cleaned_data["session_time"]
        return value.replace(second=0, microsecond=0)

    def clean_checkin_time(self) -> dt.time:
        value: dt.time = self.cleaned_data["checkin_time"]
        return value.replace(second=0, microsecond=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email_on") == "yes":
            if "email" in data and not data["email"]:
                self.add_error("email", "Give the address the reminders should go to.")
            if not data.get("email_sessions") and not data.get("email_checkins"):
                self.add_error("email_sessions", "Choose at least one kind of reminder, or answer No above.")
        return data

    def values(self) -> dict[str, Any]:
        """What ``services.reminder_settings_update`` stores (only after ``is_valid()``)."""
        data = dict(self.cleaned_data)
        data["email_on"] = data["email_on"] == "yes"
        data["session_days"] = sorted(set(data["session_days"]))
        return data


def initial(settings: ReminderSettings) -> dict[str, Any]:
    return {
        "session_days": [str(d) for d in settings.session_days],
        "session_time": settings.session_time.strftime("%H:%M"),
        "checkin_time": settings.checkin_time.strftime("%H:%M"),
        "time_zone": settings.time_zone,
        "email_on": "yes" if settings.email_on else "no",
        "email": settings.email,
        "email_sessions": settings.email_sessions,
        "email_checkins": settings.email_checkins,
        "daily_limit": str(settings.daily_limit),
        "only_if_not_logged": settings.only_if_not_logged,
    }
