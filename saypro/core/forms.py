"""Forms of the shared core."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.template.defaultfilters import filesizeformat

ORG_IMPORT_MAX_BYTES = 10 * 1024 * 1024


class OrgImportForm(forms.Form):
    """HR's org chart file. Its rows are checked by the import itself, which reports every problem."""

    file = forms.FileField(
        label="Org chart file (CSV)",
        help_text="A .csv file of at most 10 MB, UTF-8, comma or semicolon separated, with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Choose the CSV file to import.",
            "empty": "The file is empty: it needs at least a header row naming the columns.",
        },
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Trial run: check the file and count the changes, but write nothing",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_tag = True
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Import", css_class="btn-primary"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                "Choose a .csv file; “%(name)s” is not one. In a spreadsheet, use Save as → CSV UTF-8.",
                code="extension",
                params={"name": upload.name},
            )
        if upload.size > ORG_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                "The file is %(size)s; the limit is %(limit)s. Split it into smaller files and import each.",
                code="size",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(ORG_IMPORT_MAX_BYTES)},
            )
        return upload


def person_choice_label(person) -> str:
    """A person as a list offers them for picking: name, then department and location, so namesakes are told apart.

    The caller selects `department` and `location` with the people (select_related), or each label costs queries.
    """
    where = " · ".join(unit.name for unit in (person.department, person.location) if unit is not None)
    return f"{person.full_name} ({where})" if where else person.full_name


class SubmitOnceMixin(forms.Form):
    """A hidden one-time token: the service saves a double submit of this form once (see submitted_once)."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
