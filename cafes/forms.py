"""Forms of the cafés app. They parse and re-render what people typed; the services decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from saypro.core.forms import SubmitOnceMixin, person_choice_label
from saypro.core.ids import CheckedModelMultipleChoiceField
from saypro.core.models import User

from .models import RATING_QUESTIONS, RATING_SCALE, TRY_NEXT_QUESTION, WORKED_QUESTION, Cafe, TalkProposal
from .services import EDITABLE_CAFE_FIELDS

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class CafeForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label="Date and start time",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    online_url = forms.URLField(label="Online link", required=False, assume_scheme="https")

    class Meta:
        model = Cafe
        fields = list(EDITABLE_CAFE_FIELDS)
        widgets = {"theme": forms.TextInput()}


class CafeCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the café cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone going, on the waitlist and every speaker reads this.",
        error_messages={"required": "Say why the café is cancelled; everyone affected reads it."},
    )


class CafeHeldForm(forms.Form):
    attended = CheckedModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who was there",
        help_text="Untick anyone who said they were going but did not come.",
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = User.objects.filter(pk__in=[p.pk for p in people or []]).select_related("department", "location")
        self.fields["attended"].queryset = queryset
        self.fields["attended"].label_from_instance = person_choice_label
        if not self.is_bound:
            self.initial["attended"] = [p.pk for p in people or []]


TALK_ERRORS = {
    "title": {"required": "Give your talk a title."},
    "idea": {"required": "Say the one idea of your talk in a sentence or two."},
    "why_it_matters": {"required": "Say why the idea matters."},
    "audience_can_try": {"required": "Say what the audience can try after your talk."},
}


class TalkProposalForm(forms.ModelForm):
    class Meta:
        model = TalkProposal
        fields = [
            "cafe",
            "title",
            "idea",
            "why_it_matters",
            "audience_can_try",
            "duration_minutes",
            "reflection_url",
            "wants_practice_buddy",
        ]
        widgets = {
            "idea": forms.Textarea(attrs={"rows": 3}),
            "why_it_matters": forms.Textarea(attrs={"rows": 3}),
            "audience_can_try": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"cafe": "For which café", "duration_minutes": "Format"}
        help_texts = {
            "idea": "One key learning or leadership technique, in a sentence or two.",
            "wants_practice_buddy": "Someone who has spoken before listens to a run-through with you.",
        }
        error_messages = TALK_ERRORS

    def __init__(self, *args, cafes=None, first_talk: bool = True, own_reflections=(), **kwargs):
        """`own_reflections`: (path, title) of the speaker's reflections on the board, to pick from."""
        super().__init__(*args, **kwargs)
        choices = [("", "No reflection"), *own_reflections]
        linked = self.instance.reflection_url if self.instance.pk else ""
        if linked and linked not in dict(choices):
            choices.append((linked, "The reflection linked before"))
        self.fields["reflection_url"] = forms.ChoiceField(
            label="One of your reflections to link",
            choices=choices,
            required=False,
            help_text="Your reflections shared with colleagues; optional.",
        )
        self.fields["cafe"].queryset = cafes if cafes is not None else Cafe.objects.none()
        self.fields["cafe"].required = False
        self.fields["cafe"].empty_label = "Any coming café"
        self.fields["cafe"].label_from_instance = lambda cafe: str(cafe)
        if not first_talk:
            del self.fields["wants_practice_buddy"]

    def clean_reflection_url(self) -> str:
        from .services import reflection_link_clean

        try:
            return reflection_link_clean(self.cleaned_data.get("reflection_url", ""))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["reflection_url"]) from exc


class TalkProposeForm(SubmitOnceMixin, TalkProposalForm):
    """A new proposal: the hidden one-time token makes a double submit propose once."""


class TalkDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("accept", "Accept into a café"),
            ("keep", "Keep for a later café"),
            ("decline", "Decline, with a kind note"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens to the proposal."},
    )
    cafe = forms.ModelChoiceField(
        queryset=Cafe.objects.none(), required=False, label="Café", empty_label="Choose a café"
    )
    note = forms.CharField(
        label="Note to the speaker",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when declining: say kindly what would make the talk work another time.",
    )

    practice_buddy = forms.EmailField(
        label="Practice buddy (e-mail address)",
        required=False,
        help_text="The speaker asked for one: someone who has given a talk before. Both are told.",
    )

    def __init__(self, *args, cafes=None, wants_buddy: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cafe"].queryset = cafes if cafes is not None else Cafe.objects.none()
        if not wants_buddy:
            del self.fields["practice_buddy"]

    def clean_practice_buddy(self):
        email = (self.cleaned_data.get("practice_buddy") or "").strip().lower()
        if not email:
            return None
        person = User.objects.filter(email=email, is_active=True).first()
        if person is None:
            raise ValidationError("No one with this e-mail address takes part in Share Learnings.")
        return person

    def clean(self):
        data = super().clean()
        if data.get("decision") == "accept" and not data.get("cafe"):
            self.add_error("cafe", "Choose the café the talk goes into.")
        if data.get("decision") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", "Write the speaker a kind note: what would make the talk work another time.")
        return data


def _rating_field(name: str) -> forms.TypedChoiceField:
    message = f"Answer “{RATING_QUESTIONS[name]}” with a number from 1 to 5."
    return forms.TypedChoiceField(
        label=RATING_QUESTIONS[name],
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
        help_text=RATING_SCALE,
        error_messages={"required": message, "invalid_choice": message},
    )


class TalkFeedbackForm(forms.Form):
    clarity = _rating_field("clarity")
    usefulness = _rating_field("usefulness")
    delivery = _rating_field("delivery")
    worked = forms.CharField(
        label=WORKED_QUESTION,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Name one thing that worked: it is what the speaker keeps doing."},
    )
    try_next = forms.CharField(
        label=TRY_NEXT_QUESTION,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Name one thing to try next time, kindly put."},
    )


class SpeakerPreferenceForm(forms.Form):
    notify_new_feedback = forms.BooleanField(label="Tell me when new feedback on my talks arrives", required=False)
    share_with_mentor = forms.BooleanField(
        label="My mentor may read the feedback on my talks and my growth page",
        required=False,
        help_text="Your mentor sees what you see: averages and texts, never who wrote them.",
    )


class FeedbackHideForm(forms.Form):
    reason = forms.CharField(
        label="Reason for hiding",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say which rule the feedback breaks; the reason is kept."},
    )
