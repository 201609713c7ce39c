"""Forms of the reflections app. Validation of business rules lives in the services; these parse input."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from saypro.core.forms import SubmitOnceMixin
from saypro.core.models import Department, Location

from . import services
from .models import ContextKind, MentorReview, Reflection, Report

VISIBILITY_HELP = (
    "Private: only you. My mentor: you and your active mentors. "
    "Colleagues: everyone signed in, on the learning board. You can change this later."
)
FEATURE_LABEL = "My reflection may be featured in the monthly newsletter or on a huddle card"


def answer_field_name(question_id: int) -> str:
    return f"answer_{question_id}"


class ReflectionForm(forms.Form):
    """Title, one-line key takeaway, one answer per guiding question, visibility and consent."""

    title = forms.CharField(max_length=services.TITLE_MAX_CHARS, required=False)
    key_takeaway = forms.CharField(
        label="Key takeaway",
        max_length=services.TAKEAWAY_MAX_CHARS,
        required=False,
        help_text="One line: what you would tell a colleague in the corridor.",
    )
    visibility = forms.ChoiceField(
        choices=Reflection.Visibility.choices, widget=forms.RadioSelect, help_text=VISIBILITY_HELP
    )
    may_be_featured = forms.BooleanField(label=FEATURE_LABEL, required=False)

    def __init__(self, *args, reflection: Reflection, questions, **kwargs):
        self.reflection = reflection
        self.questions = list(questions)
        kwargs.setdefault(
            "initial",
            {
                "title": reflection.title,
                "key_takeaway": reflection.key_takeaway,
                "visibility": reflection.visibility,
                "may_be_featured": reflection.may_be_featured,
            },
        )
        super().__init__(*args, **kwargs)
        # A writing page not saved yet has no answers (and an unsaved reflection no relations).
        answers = {a.question_id: a.text for a in reflection.answers.all()} if reflection.pk else {}
        for question in self.questions:
            help_parts = [question.help_text] if question.help_text else []
            help_parts.append(f"Up to {question.word_limit} words. Markdown: **bold**, *italic*, lists, links.")
            self.fields[answer_field_name(question.pk)] = forms.CharField(
                label=question.text,
                required=False,
                max_length=services.ANSWER_MAX_CHARS,
                initial=answers.get(question.pk, ""),
                help_text=" ".join(help_parts),
                widget=forms.Textarea(attrs={"rows": 5, "data-word-limit": question.word_limit}),
            )
        # The order a person fills it in: title, answers, takeaway, visibility, consent.
        answer_names = [answer_field_name(q.pk) for q in self.questions]
        self.order_fields(["title", *answer_names, "key_takeaway", "visibility", "may_be_featured"])

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(answer_field_name(q.pk), "") for q in self.questions}

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's errors next to the fields they concern (or on top of the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(choices=Reflection.Visibility.choices, widget=forms.RadioSelect)
    may_be_featured = forms.BooleanField(label=FEATURE_LABEL, required=False)


class ReviewForm(forms.Form):
    depth = forms.TypedChoiceField(
        label="Depth",
        choices=MentorReview.Depth.choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="How deep does the reflection go?",
    )
    decision = forms.ChoiceField(choices=MentorReview.Decision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note to the author",
        required=False,
        max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you ask for more depth: say what would make it deeper.",
    )


class CommentForm(SubmitOnceMixin):
    body = forms.CharField(
        label="Comment",
        max_length=services.COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown allowed.",
    )
    # The comment answered, read by the view with saypro.core.ids.id_param (400 when not an id).
    parent = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, channel: str | None = None, for_author: bool = False, **kwargs):
        """Label the box by who will read it: one page holds the mentor thread and the colleagues' one."""
        super().__init__(*args, **kwargs)
        if channel == "review":
            self.fields["body"].label = "Comment for your mentor" if for_author else "Comment for the author"
        elif channel == "board":
            self.fields["body"].label = "Comment for colleagues"


def comment_form_kwargs(*, channel: str, reflection, person) -> dict:
    """CommentForm's keyword arguments for this channel and reader (ids and label by audience)."""
    return {"auto_id": f"id_{channel}_%s", "channel": channel, "for_author": reflection.author_id == person.pk}


class TriedForm(forms.Form):
    note = forms.CharField(
        label="How did it go?",
        max_length=services.TRIED_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        # The reflection page also holds the mentor's review form, whose note would share the id.
        kwargs.setdefault("auto_id", "id_tried_%s")
        super().__init__(*args, **kwargs)


class CommitmentForm(forms.Form):
    """ "I'll try this", with what and by when (both optional: the date defaults to three weeks)."""

    commitment_text = forms.CharField(
        label="What will you try? (optional)",
        required=False,
        max_length=services.COMMITMENT_TEXT_MAX_CHARS,
    )
    commitment_due = forms.DateField(
        label="By when?",
        required=False,
        # A date field's value is ISO 8601 whatever the site's display format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="We will ask you on that day how it went.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_commit_%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("commitment_due", services.commitment_default_due())


class CommitmentAnswerForm(forms.Form):
    """ "Did you try it?": tried, not yet or won't, with an optional line."""

    answer = forms.ChoiceField(
        label="Did you try it?",
        choices=[("tried", "I tried it"), ("not_yet", "Not yet"), ("wont", "I won't")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose one of the three answers.",
            "invalid_choice": "Choose one of the three answers.",
        },
    )
    text = forms.CharField(
        label="In one line: what happened, or why not (optional)",
        required=False,
        max_length=services.OUTCOME_TEXT_MAX_CHARS,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_outcome_%s")
        super().__init__(*args, **kwargs)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the author sees it)",
        max_length=services.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What breaks the rules?",
        max_length=services.REPORT_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A few words for the Advice Desk. The author is not told who reported it.",
        error_messages={"required": "Say in a few words what breaks the rules."},
    )


class ResolveForm(forms.Form):
    """The officer's decision on the reports of one reflection or comment."""

    resolution = forms.ChoiceField(choices=Report.Resolution.choices, widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=services.REASON_MAX_CHARS, widget=forms.Textarea)


class BoardFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    kind = forms.ChoiceField(label="About", required=False, choices=[("", "Any activity"), *ContextKind.choices])
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), required=False, empty_label="Any department"
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("name"), required=False, empty_label="Any location"
    )
    validated = forms.BooleanField(label="Validated only", required=False)


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (what <input type="month"> sends)."""

    # HTML allows no placeholder on type="month"; browsers without a month picker show a text box,
    # so the format is said in the help text instead.
    widget = forms.TextInput(attrs={"type": "month"})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "As YYYY-MM, for example 2026-03.")
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError as exc:
            raise ValidationError("Give the month as YYYY-MM, for example 2026-03.") from exc


class LogFilterForm(forms.Form):
    KINDS = [
        ("", "Everything"),
        ("reflection", "Reflections"),
        ("mentor_feedback", "Mentor feedback"),
        ("practice", "Practices tried"),
        ("feedback_session", "Feedback sessions"),
        ("contribution", "Contributions"),
        ("circle", "Circles"),
        ("cafe", "Cafés"),
        ("talk", "Talks"),
    ]
    month = MonthField(required=False)
    kind = forms.ChoiceField(label="Type", choices=KINDS, required=False)


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    intro = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown.")
    applies_to = forms.ChoiceField(label="Applies to", choices=ContextKind.choices)
    is_active = forms.BooleanField(label="Active (offered for new reflections)", required=False, initial=True)


class QuestionForm(forms.Form):
    text = forms.CharField(label="Guiding question", max_length=300, required=False)
    help_text = forms.CharField(label="Help text", max_length=300, required=False)
    word_limit = forms.IntegerField(label="Word limit", min_value=10, max_value=2000, initial=150)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, max_num=services.MAX_QUESTIONS, validate_max=True)


class NewsletterCreateForm(forms.Form):
    month = MonthField()


class NewsletterForm(forms.Form):
    """Title and intro, plus a pick box and a position per candidate reflection."""

    title = forms.CharField(max_length=200)
    intro = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown.")

    def __init__(self, *args, candidates: list[Reflection], picked: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for reflection in candidates:
            self.fields[f"pick_{reflection.pk}"] = forms.BooleanField(
                label=str(reflection), required=False, initial=reflection.pk in picked
            )
            self.fields[f"position_{reflection.pk}"] = forms.IntegerField(
                label="Position", required=False, min_value=1, max_value=999, initial=picked.get(reflection.pk)
            )

    def picked_ids(self) -> list[int]:
        """Picked reflections in the order of their positions (unnumbered ones last, as listed)."""
        chosen = [
            (self.cleaned_data.get(f"position_{r.pk}") or 1000, index, r.pk)
            for index, r in enumerate(self.candidates)
            if self.cleaned_data.get(f"pick_{r.pk}")
        ]
        return [pk for _, _, pk in sorted(chosen)]

    def candidate_rows(self):
        return [(r, self[f"pick_{r.pk}"], self[f"position_{r.pk}"]) for r in self.candidates]
