"""Officer pages of the reflections app: templates of guiding questions, the monthly newsletter, mentor reminders."""

from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView
from rules.contrib.views import PermissionRequiredMixin

from reflections import selectors, services
from reflections.forms import NewsletterCreateForm, NewsletterForm, QuestionFormSet, TemplateForm
from reflections.models import NewsletterIssue, NewsletterItem, ReflectionTemplate
from saypro.core.models import User


class OfficerMixin(PermissionRequiredMixin):
    """Officers only: a signed-in person without the role gets 403, anonymous goes to sign in."""

    permission_required = "reflections.manage_templates"


# --- templates ----------------------------------------------------------------------------------


class TemplateListView(OfficerMixin, ListView):
    template_name = "reflections/template_list.html"
    context_object_name = "templates"

    def get_queryset(self):
        return selectors.template_list_current(include_retired=True)


class TemplateEditView(OfficerMixin, View):
    """Create a template, or edit the current version of one (which may make a new version)."""

    def get_template(self) -> ReflectionTemplate | None:
        if "pk" not in self.kwargs:
            return None
        template = selectors.template_get(pk=self.kwargs["pk"])
        if template is None:
            raise Http404("No such template.")
        return template

    def render_page(self, form, formset, template):
        versions = selectors.template_versions(template=template) if template else []
        return render(
            self.request,
            "reflections/template_edit.html",
            {"form": form, "formset": formset, "template": template, "versions": versions},
        )

    def get(self, request, pk=None):
        template = self.get_template()
        if template is None:
            return self.render_page(TemplateForm(), QuestionFormSet(prefix="questions"), None)
        form = TemplateForm(
            initial={
                "name": template.name,
                "intro": template.intro,
                "applies_to": template.applies_to,
                "is_active": template.is_active,
            }
        )
        formset = QuestionFormSet(
            prefix="questions",
            initial=[
                {"text": q.text, "help_text": q.help_text, "word_limit": q.word_limit} for q in template.questions.all()
            ],
        )
        return self.render_page(form, formset, template)

    def post(self, request, pk=None):
        template = self.get_template()
        form = TemplateForm(request.POST)
        formset = QuestionFormSet(request.POST, prefix="questions")
        if form.is_valid() and formset.is_valid():
            questions = [
                services.QuestionSpec(q["text"], q.get("help_text", ""), q.get("word_limit") or 150)
                for q in formset.cleaned_data
                if q and q.get("text")
            ]
            data = form.cleaned_data
            try:
                if template is None:
                    saved = services.template_create(by=request.user, questions=questions, **data)
                    messages.success(request, f"Template “{saved.name}” created.")
                else:
                    saved = services.template_update(template=template, by=request.user, questions=questions, **data)
                    if saved.pk != template.pk:
                        messages.success(
                            request,
                            f"Saved as version {saved.version}; "
                            f"reflections already written keep version {template.version}.",
                        )
                    else:
                        messages.success(request, "Template saved.")
                return redirect("reflections:template-list")
            except ValidationError as exc:
                for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                    form.add_error(field if field in form.fields else None, errors)
        return self.render_page(form, formset, template)


# --- newsletter ---------------------------------------------------------------------------------


class NewsletterListView(LoginRequiredMixin, ListView):
    """The archive of published issues; officers also see drafts and start new issues here."""

    template_name = "reflections/newsletter_list.html"
    context_object_name = "issues"
    paginate_by = 24

    def get_queryset(self):
        return selectors.newsletter_list(viewer=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = self.request.user.has_perm("reflections.manage_newsletters")
        ctx["create_form"] = kwargs.get("create_form") or NewsletterCreateForm()
        return ctx


class NewsletterCreateView(PermissionRequiredMixin, View):
    permission_required = "reflections.manage_newsletters"

    def post(self, request):
        form = NewsletterCreateForm(request.POST)
        if not form.is_valid():
            view = NewsletterListView()
            view.setup(request)
            view.object_list = view.get_queryset()
            return render(request, view.template_name, view.get_context_data(create_form=form))
        issue, created = services.newsletter_create(month=form.cleaned_data["month"], by=request.user)
        if not created:
            messages.info(request, "That month already has an issue; here it is.")
        return redirect("reflections:newsletter-edit", pk=issue.pk)


class NewsletterObjectMixin(PermissionRequiredMixin):
    """Load the issue; a draft is the officers' business, so others get 404 for it."""

    permission_required = "reflections.view_newsletter"

    def get_permission_object(self) -> NewsletterIssue | None:
        if not hasattr(self, "_issue"):
            issue = selectors.newsletter_get(pk=self.kwargs["pk"])
            user = self.request.user
            if user.is_authenticated and (issue is None or not user.has_perm("reflections.view_newsletter", issue)):
                raise Http404("No such newsletter issue.")
            self._issue = issue
        return self._issue

    @property
    def issue(self) -> NewsletterIssue:
        return self.get_permission_object()


class NewsletterDetailView(NewsletterObjectMixin, View):
    """The web archive page of an issue (for officers, the preview of a draft)."""

    def get(self, request, pk):
        issue = self.issue
        return render(
            request,
            "reflections/newsletter_detail.html",
            {
                "issue": issue,
                "reflections": selectors.newsletter_reflections(issue=issue),
                "can_manage": request.user.has_perm("reflections.manage_newsletters"),
            },
        )


class NewsletterEditView(NewsletterObjectMixin, View):
    permission_required = "reflections.manage_newsletters"

    def _form(self, data=None) -> NewsletterForm:
        issue = self.issue
        picked = dict(NewsletterItem.objects.filter(issue=issue).values_list("reflection_id", "position"))
        return NewsletterForm(
            data,
            candidates=selectors.newsletter_candidate_list(issue=issue),
            picked=picked,
            initial={"title": issue.title, "intro": issue.intro},
        )

    def render_page(self, form):
        return render(self.request, "reflections/newsletter_edit.html", {"issue": self.issue, "form": form})

    def get(self, request, pk):
        if self.issue.is_published:
            messages.info(request, "This issue is published and can no longer be changed.")
            return redirect(self.issue)
        return self.render_page(self._form())

    def post(self, request, pk):
        issue = self.issue
        form = self._form(request.POST)
        if form.is_valid():
            try:
                services.newsletter_update(
                    issue=issue,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    intro=form.cleaned_data["intro"],
                    reflection_ids=form.picked_ids(),
                )
                messages.success(request, "Issue saved. Preview it, then publish.")
                return redirect(issue)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                    form.add_error(field if field in form.fields else None, errors)
        return self.render_page(form)


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class NewsletterEmailPreviewView(NewsletterObjectMixin, View):
    """The e-mail exactly as people will get it (HTML e-mail needs inline styles; scripts stay blocked)."""

    permission_required = "reflections.manage_newsletters"

    def get(self, request, pk):
        issue = self.issue
        ctx = {
            "recipient": request.user,
            "organisation": settings.ORGANISATION_NAME,
            "site_url": settings.SITE_URL,
            "title": issue.title,
            "url": issue.get_absolute_url(),
            "issue": issue,
            "items": selectors.newsletter_items_for_email(issue=issue),
        }
        if request.GET.get("format") == "text":
            return HttpResponse(
                render_to_string("reflections/email/newsletter.txt", ctx), content_type="text/plain; charset=utf-8"
            )
        return HttpResponse(render_to_string("reflections/email/newsletter.html", ctx))


class NewsletterPublishView(NewsletterObjectMixin, View):
    permission_required = "reflections.manage_newsletters"

    def post(self, request, pk):
        try:
            services.newsletter_publish(issue=self.issue, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.issue)
        messages.success(request, "Published. The e-mail is going out to everyone in batches.")
        return redirect(self.issue)


# --- mentor reminders ---------------------------------------------------------------------------


def _next_url(request, default: str) -> str:
    """The page the form came from (a path on this site), or `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class MentorRemindView(PermissionRequiredMixin, View):
    """An officer reminds the mentors of a mentee whose reflections wait (the dashboard's mentor queue).

    With htmx the button is replaced by what happened; without JavaScript the officer returns to
    the page they came from, with a message.
    """

    permission_required = "reflections.remind_mentors"

    def post(self, request, pk):
        mentee = get_object_or_404(User, pk=pk)
        try:
            reminded = services.mentor_remind_waiting(mentee=mentee, by=request.user)
        except ValidationError as exc:
            level, text = messages.ERROR, " ".join(exc.messages)
        else:
            if reminded:
                level = messages.SUCCESS
                text = f"Reminded {reminded} {'mentor' if reminded == 1 else 'mentors'} of {mentee.full_name}."
            else:
                level, text = messages.INFO, f"The mentors of {mentee.full_name} were already reminded today."
        if request.htmx:
            return render(
                request,
                "reflections/partials/mentor_reminded.html",
                {"text": text, "failed": level == messages.ERROR},
            )
        messages.add_message(request, level, text)
        return redirect(_next_url(request, default=reverse("core:dashboard")))
