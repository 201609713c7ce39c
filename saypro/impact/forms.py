from django import forms

from saypro.core.forms import SubmitOnceMixin


class RebuildForm(SubmitOnceMixin):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Say why the figures need rebuilding; the reason is kept with the new version.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 5:
            raise forms.ValidationError("Give a reason of at least a few words.")
        return reason
