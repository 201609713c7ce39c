"""Writing a reflection: starting it, the writing page with autosave, submitting and withdrawing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from reflections import selectors, services
from reflections.forms import ReflectionForm, VisibilityForm, answer_field_name
from reflections.models import ContextKind, Reflection, ReflectionTemplate
from saypro.core.ids import id_param

from .base import ReflectionPermissionMixin, reflection_page


class ReflectionMineView(LoginRequiredMixin, ListView):
    """My reflections, newest change first, with a count per state."""

    template_name = "reflections/reflection_mine.html"
    context_object_name = "reflections"
    paginate_by = 20

    def get_queryset(self):
        self.state = self.request.GET.get("state", "")
        if self.state not in Reflection.State.values:
            self.state = ""
        return selectors.reflection_list_mine(person=self.request.user, state=self.state or None)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = selectors.reflection_state_counts(person=self.request.user)
        ctx.update(
            state=self.state,
            state_tabs=[(value, label, counts[value]) for value, label in Reflection.State.choices],
            total=sum(counts.values()),
            querystring_base=f"state={self.state}" if self.state else "",
        )
        return ctx


@dataclass(frozen=True)
class _Start:
    """What the writing page was opened with: a template, a kind and maybe the activity it is about."""

    template: ReflectionTemplate
    kind: str
    context: Model | None
    token: str
    template_chosen: bool

    def unsaved(self, author) -> Reflection:
        """The reflection as the page shows it before anything is saved."""
        return Reflection(
            author=author,
            template=self.template,
            context_kind=self.kind,
            context_label=str(self.context)[:255] if self.context is not None else "",
        )


class _NoTemplate(Exception):
    """The link names no template that is offered; the message says so."""


def _start_from(params, person) -> _Start:
    """Read the template, kind and context of a writing page from a GET link or its form.

    An invitation link may name only an activity the person took part in (selectors.CONTEXT_SOURCES):
    anything else is 404, whatever it is, so a link reveals nothing.
    """
    kind = params.get("kind", "")
    token = params.get("context", "")
    context = None
    if token:
        context = selectors.context_resolve(kind=kind, token=token, person=person)
        if context is None:
            raise Http404("No such activity to reflect on.")
    template = None
    pk = id_param(params, "template")
    if pk is not None:
        template = ReflectionTemplate.objects.filter(pk=pk, is_current=True, is_active=True).first()
        if template is None:
            raise _NoTemplate("That template is no longer offered; choose another one.")
        kind = kind if kind in ContextKind.values else template.applies_to
    elif kind in ContextKind.values:
        template = selectors.template_for_kind(kind=kind)
    if template is None:
        raise _NoTemplate("There is no template for that kind of reflection; choose one below.")
    return _Start(template=template, kind=kind, context=context, token=token, template_chosen=pk is not None)


class ReflectionWriteView(LoginRequiredMixin, View):
    """Start writing: from a template chosen here, or from an invitation link with kind and context.

    A GET never writes: it shows the writing page unsaved, with a fresh start key. The first save
    (an autosave, the leaving-page beacon, "Save draft" or Submit, all posting the key) creates
    the draft and later ones find it by the key, so one page makes at most one draft. A link to an
    activity the person already wrote about leads to that reflection.
    """

    def get(self, request):
        if not request.GET.get("kind") and not request.GET.get("template"):
            return render(request, "reflections/write_choose.html", {"templates": selectors.template_list_current()})
        try:
            start = _start_from(request.GET, request.user)
        except _NoTemplate as exc:
            messages.error(request, str(exc))
            return redirect("reflections:write")
        if start.context is not None:
            reflection = selectors.reflection_for_context(person=request.user, context=start.context)
            if reflection is not None:
                if reflection.is_editable:
                    return redirect("reflections:edit", pk=reflection.pk)
                messages.info(request, "You already wrote a reflection about this.")
                return redirect(reflection)
        reflection = start.unsaved(request.user)
        return _writing_page(request, _form_for(reflection), start=start, start_key=uuid.uuid4())

    def post(self, request):
        start, start_key = _posted_start(request)
        reflection = start.unsaved(request.user)
        form = _form_for(reflection, request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was saved: fix the marked fields.")
            return _writing_page(request, form, start=start, start_key=start_key)
        try:
            with transaction.atomic():
                reflection = _started(request, start, start_key)
                if reflection.is_editable:
                    _save_draft(request, reflection, form)
        except ValidationError as exc:
            form.add_service_errors(exc)
            messages.error(request, "Nothing was saved: fix the marked fields.")
            return _writing_page(request, form, start=start, start_key=start_key)
        if not reflection.is_editable:
            # A second click on Submit, or a save after submitting: the reflection is already sent.
            messages.info(request, "This reflection is already submitted.")
            return redirect(reflection)
        return _after_save(request, reflection, form)


class ReflectionStartAutosaveView(LoginRequiredMixin, View):
    """Autosave (htmx and the leaving-page beacon) of a writing page not saved yet: the first creates the draft."""

    def post(self, request):
        start, start_key = _posted_start(request)
        reflection = start.unsaved(request.user)
        form = _form_for(reflection, request.POST)
        error = ""
        if form.is_valid():
            try:
                with transaction.atomic():
                    reflection = _started(request, start, start_key)
                    if reflection.is_editable:
                        _save_draft(request, reflection, form)
                    else:
                        error = "Not saved: this reflection is already submitted."
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = _form_error(form)
        response = _autosave_response(request, error)
        if reflection.pk and request.htmx:
            # The draft exists now: a reload (or a bookmark) of the page opens it, not a blank page.
            response["HX-Replace-Url"] = reverse("reflections:edit", args=[reflection.pk])
        return response


def _posted_start(request) -> tuple[_Start, uuid.UUID]:
    """The start a writing page's form carries, and its key; a form without them is a bad request."""
    try:
        start_key = uuid.UUID(request.POST.get("start_key", ""))
        return _start_from(request.POST, request.user), start_key
    except (ValueError, _NoTemplate) as exc:
        raise BadRequest("This writing page is incomplete; open it again.") from exc


def _started(request, start: _Start, start_key: uuid.UUID) -> Reflection:
    reflection, _ = services.reflection_start(
        author=request.user, template=start.template, kind=start.kind, context=start.context, start_key=start_key
    )
    return reflection


def _writing_page(request, form: ReflectionForm, *, start: _Start | None = None, start_key=None, status: int = 200):
    """The writing page: of a saved reflection, or (with `start`) of one not saved yet."""
    reflection = form.reflection
    if reflection.pk:
        action = reverse("reflections:edit", args=[reflection.pk])
        autosave = reverse("reflections:autosave", args=[reflection.pk])
        hidden = {}
    elif start is not None:
        action = reverse("reflections:write")
        autosave = reverse("reflections:write-autosave")
        hidden = {"start_key": start_key, "kind": start.kind, "context": start.token}
        if start.template_chosen:
            hidden["template"] = start.template.pk
    else:
        raise ValueError("A writing page not saved yet needs its start.")
    return render(
        request,
        "reflections/reflection_edit.html",
        {
            "reflection": reflection,
            "form": form,
            "template": reflection.template,
            "answer_fields": [form[answer_field_name(q.pk)] for q in form.questions],
            "form_action": action,
            "autosave_url": autosave,
            "start_fields": hidden,
        },
        status=status,
    )


def _form_for(reflection: Reflection, data=None) -> ReflectionForm:
    return ReflectionForm(data, reflection=reflection, questions=reflection.template.questions.all())


def _word_limit_errors(reflection: Reflection, form: ReflectionForm) -> None:
    """After saving a draft, mark answers over their word limit next to the field (they are saved)."""
    errors = services.reflection_completeness_errors(reflection=reflection)
    for question in form.questions:
        name = answer_field_name(question.pk)
        for message in errors.get(name, []):
            if "limit" in message:
                form.add_error(name, message)


def _save_draft(request, reflection: Reflection, form: ReflectionForm) -> None:
    services.reflection_save_draft(
        reflection=reflection,
        by=request.user,
        title=form.cleaned_data["title"],
        key_takeaway=form.cleaned_data["key_takeaway"],
        answers=form.answers(),
        visibility=form.cleaned_data["visibility"],
    )


def _after_save(request, reflection: Reflection, form: ReflectionForm):
    """After the draft is saved: submit when asked, else back to the writing page."""
    form.reflection = reflection
    if request.POST.get("action") == "submit":
        try:
            services.reflection_submit(
                reflection=reflection, by=request.user, may_be_featured=form.cleaned_data["may_be_featured"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            messages.error(request, "Your text is saved as a draft. Fix the marked fields to submit it.")
            return _writing_page(request, form)
        if reflection.is_shared_with_mentor:
            messages.success(request, "Submitted. Your mentor will read it and reply here.")
        else:
            messages.success(request, "Submitted. It is private, so only you can read it.")
        return redirect(reflection)
    _word_limit_errors(reflection, form)
    messages.success(request, "Draft saved.")
    if form.errors:
        return _writing_page(request, form)
    return redirect("reflections:edit", pk=reflection.pk)


def _form_error(form: ReflectionForm) -> str:
    return "Not saved: " + " ".join(e for errors in form.errors.values() for e in errors)


def _autosave_response(request, error: str) -> HttpResponse:
    if not request.htmx:
        return HttpResponse(status=400 if error else 204)
    return render(
        request,
        "reflections/partials/autosave_status.html",
        {"error": error, "saved_at": timezone.localtime()},
    )


class ReflectionEditView(ReflectionPermissionMixin, View):
    """The writing page: one answer per guiding question, saved as a draft or submitted."""

    permission_required = "reflections.change_reflection"

    def handle_no_permission(self):
        reflection = getattr(self, "_reflection", None)
        if reflection is not None and reflection.author_id == self.request.user.pk:
            messages.info(self.request, "This reflection is with your mentor or validated; withdraw it to change it.")
            return redirect(reflection)
        return super().handle_no_permission()

    def get(self, request, pk):
        return _writing_page(request, _form_for(self.reflection))

    def post(self, request, pk):
        reflection = self.reflection
        form = _form_for(reflection, request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was saved: fix the marked fields.")
            return _writing_page(request, form)
        try:
            _save_draft(request, reflection, form)
        except ValidationError as exc:
            form.add_service_errors(exc)
            messages.error(request, "Nothing was saved: fix the marked fields.")
            return _writing_page(request, form)
        return _after_save(request, reflection, form)


class ReflectionAutosaveView(ReflectionPermissionMixin, View):
    """Save the draft while the author writes (htmx on idle, and a beacon when leaving the page)."""

    permission_required = "reflections.change_reflection"

    def post(self, request, pk):
        form = _form_for(self.reflection, request.POST)
        error = ""
        if form.is_valid():
            try:
                _save_draft(request, self.reflection, form)
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = _form_error(form)
        return _autosave_response(request, error)


class ReflectionWithdrawView(ReflectionPermissionMixin, View):
    permission_required = "reflections.withdraw_reflection"

    def post(self, request, pk):
        try:
            services.reflection_withdraw(reflection=self.reflection, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.reflection)
        messages.success(request, "Withdrawn to draft. Change it and submit again when ready.")
        return redirect("reflections:edit", pk=pk)


class ReflectionVisibilityView(ReflectionPermissionMixin, View):
    """The author changes who may read the reflection and whether it may be featured."""

    permission_required = "reflections.set_visibility"

    def post(self, request, pk):
        reflection = self.reflection
        form = VisibilityForm(request.POST)
        if not form.is_valid():
            return reflection_page(request, reflection, visibility_form=form)
        services.reflection_set_visibility(
            reflection=reflection, by=request.user, visibility=form.cleaned_data["visibility"]
        )
        services.reflection_set_featurable(
            reflection=reflection, by=request.user, may_be_featured=form.cleaned_data["may_be_featured"]
        )
        messages.success(request, f"Now visible to: {reflection.get_visibility_display()}.")
        return redirect(reflection)


class ReflectionDeleteView(ReflectionPermissionMixin, View):
    permission_required = "reflections.delete_reflection"

    def get(self, request, pk):
        return render(request, "reflections/reflection_delete.html", {"reflection": self.reflection})

    def post(self, request, pk):
        services.reflection_delete(reflection=self.reflection, by=request.user)
        messages.success(request, "The reflection and everything attached to it are deleted.")
        return HttpResponseRedirect(reverse("reflections:mine"))
