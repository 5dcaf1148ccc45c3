from __future__ import annotations

from django import forms

from backhome.web.api.models import Scope

EXPIRY_CHOICES = (
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("never", "Until I revoke it"),
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="Something to know it by later, like “my phone” or “export script”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "field-input"}),
    )
    scopes = forms.MultipleChoiceField(
        label="What it may do",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing the token may do."},
    )
    expires = forms.ChoiceField(
        label="How long it lasts",
        choices=EXPIRY_CHOICES,
        initial="90",
        widget=forms.Select(attrs={"class": "field-input"}),
    )

    def __init__(self, *args: object, clinician: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not clinician:
            field = self.fields["scopes"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [c for c in Scope.choices if not c[0].startswith("clinic:")]

    def expires_in_days(self) -> int | None:
        value = self.cleaned_data["expires"]
        return None if value == "never" else int(value)
