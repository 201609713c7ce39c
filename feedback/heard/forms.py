"""The officer's forms on "What we heard": rename, merge, mark addressed."""

from __future__ import annotations

from django import forms

from feedback.models import THEME_NAME_MAX_CHARS, THEME_NOTE_MAX_CHARS


class ThemeRenameForm(forms.Form):
    name = forms.CharField(
        label="New name",
        max_length=THEME_NAME_MAX_CHARS,
        error_messages={"required": "Give the theme a name."},
    )


class ThemeMergeForm(forms.Form):
    into = forms.TypedChoiceField(
        label="Merge into",
        coerce=int,
        error_messages={
            "required": "Choose the theme to merge this one into.",
            "invalid_choice": "Choose one of this module's themes on the page.",
        },
    )

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [("", "Choose a theme…")] + [(t.pk, t.name) for t in themes]


class ThemeAddressedForm(forms.Form):
    note = forms.CharField(
        label="What changes in the next run",
        max_length=THEME_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say in a line what changes in the next run."},
    )
