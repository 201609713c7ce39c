"""Forms of the circles app; the services do the real validation and the views show it by the field."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import ngettext

from saypro.core.forms import SubmitOnceMixin, person_choice_label
from saypro.core.ids import CheckedModelMultipleChoiceField
from saypro.core.models import User

from .models import MIN_SIZE, Topic
from .services import LEARNING_MAX_WORDS

RANK_FIELDS = ("first_choice", "second_choice", "third_choice")
RANK_LABELS = ("First choice", "Second choice", "Third choice")


class RankedTopicsMixin:
    """Three ranked topic selects offering `offered`, while accepting any topic id, so a stale or
    retired choice reaches the service and gets its clear message instead of "invalid choice"."""

    def add_rank_fields(self, offered) -> None:
        options = [("", "—")] + [(t.pk, t.name) for t in offered]
        for name, label in zip(RANK_FIELDS, RANK_LABELS, strict=True):
            field = forms.ModelChoiceField(queryset=Topic.objects.all(), required=False, label=label)
            field.choices = options
            self.fields[name] = field

    def ranked_topic_ids(self) -> list[int | None]:
        return [t.pk if t else None for t in (self.cleaned_data.get(n) for n in RANK_FIELDS)]


class SignupForm(RankedTopicsMixin, forms.Form):
    not_this_week = forms.BooleanField(required=False, label="Not this week")
    every_week = forms.BooleanField(
        required=False, label="Sign me up every week with these preferences (you can pause or stop any time)"
    )

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_rank_fields(round.topics.filter(is_active=True).order_by("name"))
        self.order_fields([*RANK_FIELDS, "not_this_week", "every_week"])


class StandingForm(RankedTopicsMixin, forms.Form):
    is_active = forms.BooleanField(required=False, label="Sign me up every week with these preferences")
    paused_until = forms.DateField(
        required=False,
        label="Pause until",
        help_text="No sign-up for weeks starting on or before this day. Leave empty for no pause.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_rank_fields(Topic.objects.filter(is_active=True).order_by("name"))
        self.order_fields([*RANK_FIELDS, "is_active", "paused_until"])


class NeverWithForm(forms.Form):
    email = forms.EmailField(
        label="Colleague's e-mail address",
        help_text="For example your line manager. Only you see this list; it is a hard rule when circles form.",
    )


class LeaveForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason (optional, shown to the host)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why are this week's circles called off?",
        help_text="Everyone signed up receives this reason.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        required=False, label="Who came", widget=forms.CheckboxSelectMultiple, help_text="Tick everyone who took part."
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(m.person_id), person_choice_label(m.person)) for m in memberships]
        if not self.is_bound:
            self.initial["attended"] = [str(m.person_id) for m in memberships if m.attended is not False]


class LearningForm(SubmitOnceMixin):
    body = forms.CharField(
        label="What did the circle learn?",
        help_text=f"A short note, at most {LEARNING_MAX_WORDS} words. Markdown works: *emphasis*, lists, links.",
        widget=forms.Textarea(attrs={"rows": 5, "data-word-limit": LEARNING_MAX_WORDS}),
    )


class LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"], **kwargs)


class RoundForm(forms.Form):
    signup_deadline = LocalDateTimeField(label="Sign-up deadline")
    meets_at = LocalDateTimeField(label="Circles meet at")
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=15, max_value=240)
    place = forms.CharField(max_length=200, label="Where")
    topics = CheckedModelMultipleChoiceField(
        queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple, label="Offered topics"
    )

    def __init__(self, *args, round, **kwargs):
        initial = {
            "signup_deadline": timezone.localtime(round.signup_deadline),
            "meets_at": timezone.localtime(round.meets_at),
            "duration_minutes": round.duration_minutes,
            "place": round.place,
            "topics": list(round.topics.all()),
        }
        super().__init__(*args, initial=initial, **kwargs)
        offered = {t.pk for t in round.topics.all()}
        self.fields["topics"].choices = [
            (t.pk, t.name if t.is_active else f"{t.name} (retired)")
            for t in Topic.objects.order_by("name")
            if t.is_active or t.pk in offered
        ]


class MoveForm(forms.Form):
    """Where to move someone: a circle with room ("12"), or a new circle on an offered topic ("new-3").

    A new circle needs at least three people, so the people moving with this one into it are
    picked here too (by name, department and location: namesakes are told apart).
    """

    to_circle = forms.ChoiceField(label="Move to")
    together_with = CheckedModelMultipleChoiceField(
        label="Together with (for a new circle)",
        queryset=User.objects.none(),
        required=False,
        help_text=f"A new circle starts with at least {MIN_SIZE} people: choose who moves into it with them.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, targets, topics, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["together_with"].queryset = people if people is not None else User.objects.none()
        self.fields["together_with"].label_from_instance = person_choice_label
        self.fields["to_circle"].choices = (
            [("", "Choose a circle")]
            + [
                (
                    str(c.pk),
                    f"Circle {c.number}: {c.topic.name} "
                    + ngettext("(%(n)d member)", "(%(n)d members)", c.size) % {"n": c.size},
                )
                for c in targets
            ]
            + [(f"new-{t.pk}", f"A new circle on {t.name}") for t in topics]
        )

    def target(self) -> tuple[int | None, int | None]:
        """(circle id, None) or (None, topic id of a new circle)."""
        value = self.cleaned_data["to_circle"]
        if value.startswith("new-"):
            return None, int(value.removeprefix("new-"))
        return int(value), None


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "description", "prompts", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "prompts": forms.Textarea(attrs={"rows": 5})}
        labels = {"is_active": "Active (untick to retire the topic)"}
