"""Forms of feedback sessions. They parse input; the services validate the rules and write."""

from __future__ import annotations

import uuid

from django import forms

from saypro.core import roles
from saypro.core.forms import person_choice_label
from saypro.core.models import Module, User

from .models import CONTRIBUTION_MAX_CHARS, SUGGESTION_MAX_CHARS, Contribution, FeedbackSession, Invitation

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class ModuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Module) -> str:
        major = " — major" if obj.is_major else ""
        return f"{obj.programme.title}: {obj.title} (ends {obj.ends_on:%d %b %Y}){major}"


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class SessionForm(forms.Form):
    """Date, time, place and facilitator of a session (and its module when creating one)."""

    module = ModuleChoiceField(queryset=Module.objects.none(), help_text="Any module; major ones are marked.")
    starts_at = forms.DateTimeField(
        label="Starts", widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        label="Ends", widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(
        max_length=200, required=False, help_text="A room or address. Give a place, a link, or both."
    )
    online_url = forms.URLField(label="Online link", max_length=500, required=False, assume_scheme="https")
    facilitator = OfficerChoiceField(queryset=User.objects.none(), label="Facilitating officer")
    prompts = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional questions shown to participants, one per line.",
    )

    def __init__(self, *args, with_module: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_module:
            self.fields["module"].queryset = Module.objects.select_related("programme").order_by(
                "programme__title", "position"
            )
        else:
            del self.fields["module"]
        self.fields["facilitator"].queryset = User.objects.filter(groups__name=roles.OFFICER, is_active=True).order_by(
            "last_name", "first_name"
        )

    @classmethod
    def initial_for(cls, session: FeedbackSession) -> dict:
        return {
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "place": session.place,
            "online_url": session.online_url,
            "facilitator": session.facilitator_id,
            "prompts": session.prompts,
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Participants read this with the cancellation.",
        error_messages={"required": "Say why the session is cancelled; participants read it."},
    )


class TransitionForm(forms.Form):
    """Opening or closing a session; a reason is asked (and required by the service) when it is early."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        help_text="Kept in the audit trail.",
    )


class ContributionForm(forms.Form):
    """An insight, challenge or success story. The hidden token makes a double submit save once."""

    kind = forms.ChoiceField(
        choices=Contribution.Kind.choices,
        widget=forms.RadioSelect,
        label="What are you sharing?",
        error_messages={"required": "Choose an insight, a challenge or a success story."},
    )
    text = forms.CharField(
        label="Your contribution",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=CONTRIBUTION_MAX_CHARS,
        strip=True,
        help_text=f"A few sentences, up to {CONTRIBUTION_MAX_CHARS} characters. Markdown works: **bold**, lists.",
        error_messages={
            "required": "Write your contribution before sending it.",
            "max_length": "Keep it to %(limit_value)d characters; this has %(show_value)d.",
        },
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Ask without my name",
        help_text="For a challenge: colleagues see “a colleague” instead of your name; the officer still sees it.",
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class RecordForm(ContributionForm):
    """The officer records a contribution on a participant's behalf."""

    author = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="On behalf of",
        error_messages={"required": "Choose the participant it counts for."},
    )

    field_order = ["author", "kind", "text", "anonymous", "submission_token"]

    def __init__(self, *args, session: FeedbackSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = (
            User.objects.filter(feedback_invitations__session=session)
            .select_related("department", "location")
            .order_by("last_name", "first_name", "pk")
        )
        self.fields["author"].label_from_instance = person_choice_label


class ContributionEditForm(forms.Form):
    kind = ContributionForm.base_fields["kind"]
    text = ContributionForm.base_fields["text"]
    anonymous = ContributionForm.base_fields["anonymous"]


class SuggestionForm(forms.Form):
    text = forms.CharField(
        label="Your suggestion",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=SUGGESTION_MAX_CHARS,
        strip=True,
        error_messages={
            "required": "Write your suggestion before sending it.",
            "max_length": "Keep it to %(limit_value)d characters; this has %(show_value)d.",
        },
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class HideForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="The author reads this reason.",
        error_messages={"required": "Say why it is hidden; the author reads this reason."},
    )


class ConsoleFilterForm(forms.Form):
    SHOW_CHOICES = [
        ("", "Everything"),
        ("open", "Not discussed yet"),
        ("discussed", "Discussed"),
        ("highlighted", "Highlighted"),
        ("hidden", "Hidden"),
    ]
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Contribution.Kind.choices], required=False)
    show = forms.ChoiceField(choices=SHOW_CHOICES, required=False)


class SessionFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", "Any state"), *FeedbackSession.State.choices], required=False)
    when = forms.ChoiceField(
        choices=[("", "Past and upcoming"), ("upcoming", "Upcoming"), ("past", "Past")], required=False
    )


ATTENDANCE_CHOICES = [c for c in Invitation.Attendance.choices if c[0]]
# The console's attendance choices with each one's button style: (value, label, Bootstrap colour).
ATTENDANCE_STYLES = {"present": "success", "late": "dark"}
ATTENDANCE_BUTTONS = [(value, label, ATTENDANCE_STYLES.get(value, "secondary")) for value, label in ATTENDANCE_CHOICES]
