"""Writing a reflection: starting it, the writing page with autosave, submitting and withdrawing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from reflections import selectors, services
from reflections.forms import ReflectionForm, VisibilityForm, answer_field_name
from reflections.models import ContextKind, Reflection, ReflectionTemplate

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


class ReflectionWriteView(LoginRequiredMixin, View):
    """Start writing: from a template chosen here, or from an invitation link with kind and context.

    Opening the same link again leads back to the same reflection, so this GET is safe to repeat.
    """

    def get(self, request):
        kind = request.GET.get("kind", "")
        template_pk = request.GET.get("template", "")
        if not kind and not template_pk:
            return render(request, "reflections/write_choose.html", {"templates": selectors.template_list_current()})
        template = None
        if template_pk.isdigit():
            template = ReflectionTemplate.objects.filter(pk=int(template_pk), is_current=True, is_active=True).first()
            if template is None:
                messages.error(request, "That template is no longer offered; choose another one.")
                return redirect("reflections:write")
            kind = kind if kind in ContextKind.values else template.applies_to
        elif kind in ContextKind.values:
            template = selectors.template_for_kind(kind=kind)
        if template is None:
            messages.error(request, "There is no template for that kind of reflection; choose one below.")
            return redirect("reflections:write")
        context = None
        token = request.GET.get("context", "")
        if token:
            context = selectors.context_resolve(kind=kind, token=token)
            if context is None:
                messages.warning(
                    request, "The activity in the link was not found, so the reflection is not linked to it."
                )
        reflection, _ = services.reflection_start(author=request.user, template=template, kind=kind, context=context)
        if reflection.is_editable:
            return redirect("reflections:edit", pk=reflection.pk)
        messages.info(request, "You already wrote a reflection about this.")
        return redirect(reflection)


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


class ReflectionEditView(ReflectionPermissionMixin, View):
    """The writing page: one answer per guiding question, saved as a draft or submitted."""

    permission_required = "reflections.change_reflection"

    def handle_no_permission(self):
        reflection = getattr(self, "_reflection", None)
        if reflection is not None and reflection.author_id == self.request.user.pk:
            messages.info(self.request, "This reflection is with your mentor or validated; withdraw it to change it.")
            return redirect(reflection)
        return super().handle_no_permission()

    def render_page(self, form: ReflectionForm, status: int = 200):
        reflection = self.reflection
        return render(
            self.request,
            "reflections/reflection_edit.html",
            {
                "reflection": reflection,
                "form": form,
                "template": reflection.template,
                "answer_fields": [form[answer_field_name(q.pk)] for q in form.questions],
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(_form_for(self.reflection))

    def post(self, request, pk):
        reflection = self.reflection
        form = _form_for(reflection, request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was saved: fix the marked fields.")
            return self.render_page(form)
        try:
            services.reflection_save_draft(
                reflection=reflection,
                by=request.user,
                title=form.cleaned_data["title"],
                key_takeaway=form.cleaned_data["key_takeaway"],
                answers=form.answers(),
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            messages.error(request, "Nothing was saved: fix the marked fields.")
            return self.render_page(form)
        if request.POST.get("action") == "submit":
            try:
                services.reflection_submit(
                    reflection=reflection, by=request.user, may_be_featured=form.cleaned_data["may_be_featured"]
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
                messages.error(request, "Your text is saved as a draft. Fix the marked fields to submit it.")
                return self.render_page(form)
            if reflection.is_shared_with_mentor:
                messages.success(request, "Submitted. Your mentor will read it and reply here.")
            else:
                messages.success(request, "Submitted. It is private, so only you can read it.")
            return redirect(reflection)
        _word_limit_errors(reflection, form)
        messages.success(request, "Draft saved.")
        if form.errors:
            return self.render_page(form)
        return redirect("reflections:edit", pk=reflection.pk)


class ReflectionAutosaveView(ReflectionPermissionMixin, View):
    """Save the draft while the author writes (htmx on idle, and a beacon when leaving the page)."""

    permission_required = "reflections.change_reflection"

    def post(self, request, pk):
        reflection = self.reflection
        form = _form_for(reflection, request.POST)
        error = ""
        if form.is_valid():
            try:
                services.reflection_save_draft(
                    reflection=reflection,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    key_takeaway=form.cleaned_data["key_takeaway"],
                    answers=form.answers(),
                    visibility=form.cleaned_data["visibility"],
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = "Not saved: " + " ".join(e for errors in form.errors.values() for e in errors)
        if not request.htmx:
            return HttpResponse(status=400 if error else 204)
        return render(
            request,
            "reflections/partials/autosave_status.html",
            {"error": error, "saved_at": timezone.localtime()},
        )


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
