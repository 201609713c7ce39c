""" "What we heard" about a module: its challenges in themes, for officers and the module's owner.

The page is read by both; only officers change it (update, rename, merge, mark addressed,
reopen). A refused form re-shows the page with the message next to that theme's field and
what was typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import ngettext
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from feedback.heard import selectors, services
from feedback.heard.forms import ThemeAddressedForm, ThemeMergeForm, ThemeRenameForm
from feedback.models import ChallengeTheme
from saypro.core import roles
from saypro.core.spreadsheet import csv_writer
from saypro.core.views.refusals import add_service_errors


class ModuleHeardMixin(PermissionRequiredMixin):
    """The module in the URL; officers and its owner may read what was heard about it."""

    permission_required = "feedback.view_heard"
    _module = None

    def get_module(self):
        if self._module is None:
            self._module = selectors.module_heard_get(pk=self.kwargs["module_pk"])
            if self._module is None:
                raise Http404("No such module.")
        return self._module

    def get_permission_object(self):
        return self.get_module() if self.request.user.is_authenticated else None


def _page(request, module, *, bound: tuple[int, str, object] | None = None, status: int = 200):
    officer = roles.is_officer.test(request.user)
    themes = selectors.heard_themes(module=module, officer=officer)
    for view in themes:
        pk = view.theme.pk
        view.rename_form = ThemeRenameForm(initial={"name": view.theme.name}, prefix=f"rename-{pk}")
        view.addressed_form = ThemeAddressedForm(prefix=f"addressed-{pk}")
        view.merge_form = ThemeMergeForm(
            prefix=f"merge-{pk}", themes=[other.theme for other in themes if other.theme.pk != pk]
        )
        if bound and bound[0] == pk:
            setattr(view, f"{bound[1]}_form", bound[2])
            view.open_form = bound[1]
    context = {
        "module": module,
        "themes": themes,
        "is_officer": officer,
        "ungrouped": selectors.heard_ungrouped_count(module=module) if officer else 0,
    }
    return render(request, "feedback/heard.html", context, status=status)


class HeardView(ModuleHeardMixin, View):
    def get(self, request, module_pk: int):
        return _page(request, self.get_module())


class HeardUpdateView(ModuleHeardMixin, View):
    """An officer groups the module's new challenges now instead of waiting for the hourly job."""

    permission_required = "feedback.facilitate"

    def post(self, request, module_pk: int):
        module = self.get_module()
        grouped = services.challenge_themes_update(module=module, limit=services.UPDATE_BATCH_ON_REQUEST)
        if grouped:
            messages.success(request, _grouped_message(grouped))
        else:
            messages.info(request, "No new challenges: the themes were up to date.")
        return HttpResponseRedirect(reverse("feedback:heard", kwargs={"module_pk": module.pk}))


def _grouped_message(n: int) -> str:
    return ngettext("%(n)d new challenge grouped into themes.", "%(n)d new challenges grouped into themes.", n) % {
        "n": n
    }


class ThemeActionView(PermissionRequiredMixin, View):
    """One officer action on one theme (POST); refused input re-shows the page."""

    permission_required = "feedback.facilitate"
    action = ""

    def get_theme(self) -> ChallengeTheme:
        if not hasattr(self, "_theme"):
            theme = selectors.challenge_themes_live().filter(pk=self.kwargs["pk"]).first()
            if theme is None:
                raise Http404("No such theme.")
            self._theme = theme
        return self._theme

    def post(self, request, pk: int):
        theme = self.get_theme()
        form = self.make_form(theme, request.POST)
        if form is not None and not form.is_valid():
            return self.refused(theme, form)
        try:
            text = self.act(theme, form.cleaned_data if form is not None else {})
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.refused(theme, form)
        messages.success(request, text)
        url = reverse("feedback:heard", kwargs={"module_pk": theme.module_id})
        return HttpResponseRedirect(f"{url}#theme-{self.anchor_pk(theme)}")

    def refused(self, theme, form):
        module = selectors.module_heard_get(pk=theme.module_id)
        return _page(self.request, module, bound=(theme.pk, self.action, form))

    def anchor_pk(self, theme) -> int:
        return theme.pk

    def make_form(self, theme, data):
        return None


class ThemeRenameView(ThemeActionView):
    action = "rename"

    def make_form(self, theme, data):
        return ThemeRenameForm(data, prefix=f"rename-{theme.pk}")

    def act(self, theme, data) -> str:
        services.challenge_theme_rename(theme=theme, name=data["name"], by=self.request.user)
        return f"Renamed to “{theme.name}”. Later updates keep this name."


class ThemeMergeView(ThemeActionView):
    action = "merge"

    def make_form(self, theme, data):
        live = selectors.challenge_themes_live(module_id=theme.module_id)
        return ThemeMergeForm(data, themes=live, prefix=f"merge-{theme.pk}")

    def act(self, theme, data) -> str:
        into = selectors.challenge_themes_live(module_id=theme.module_id).get(pk=data["into"])
        services.challenge_theme_merge(theme=theme, into=into, by=self.request.user)
        self._into = into
        return f"Merged “{theme.name}” into “{into.name}”."

    def anchor_pk(self, theme) -> int:
        return self._into.pk


class ThemeAddressedView(ThemeActionView):
    action = "addressed"

    def make_form(self, theme, data):
        return ThemeAddressedForm(data, prefix=f"addressed-{theme.pk}")

    def act(self, theme, data) -> str:
        services.challenge_theme_mark_addressed(theme=theme, note=data["note"], by=self.request.user)
        return f"“{theme.name}” is marked addressed in the next run."


class ThemeReopenView(ThemeActionView):
    action = "reopen"

    def act(self, theme, data) -> str:
        services.challenge_theme_reopen(theme=theme, by=self.request.user)
        return f"“{theme.name}” is open again."


# --- exports for the training team --------------------------------------------------------------


def _export_name(module, extension: str) -> str:
    return f"what-we-heard-{slugify(module.title)[:50] or module.pk}-{timezone.localdate():%Y-%m-%d}.{extension}"


class HeardCsvView(ModuleHeardMixin, View):
    """One row per example challenge of each theme (a theme without examples shown has one row)."""

    def get(self, request, module_pk: int):
        module = self.get_module()
        officer = roles.is_officer.test(request.user)
        themes = selectors.heard_themes(module=module, officer=officer)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_export_name(module, "csv")}"'
        writer = csv_writer(response)
        writer.writerow(
            ["module", "theme", "challenges", "people", "addressed", "addressed_note", "example", "raised_by",
             "suggestions", "answered_by"]
        )  # fmt: skip
        for view in themes:
            theme = view.theme
            answers = " | ".join(a.plain_text for a in view.answers)
            rows = view.examples or [None]
            for example in rows:
                suggestions = " | ".join(s.text for s in example.suggestions.all()) if example else ""
                writer.writerow(
                    [module.title, theme.name, view.count, view.people, theme.addressed, theme.addressed_note,
                     example.plain_text if example else "", example.shown_author if example else "", suggestions,
                     answers]
                )  # fmt: skip
        return response


class HeardPdfView(ModuleHeardMixin, View):
    """The page as an A4 PDF, laid out by WeasyPrint like the impact report."""

    def get(self, request, module_pk: int):
        import weasyprint  # imported here: it needs the system's Pango library, only the PDF does

        module = self.get_module()
        officer = roles.is_officer.test(request.user)
        html = render_to_string(
            "feedback/heard_pdf.html",
            {"module": module, "themes": selectors.heard_themes(module=module, officer=officer), "now": timezone.now()},
        )
        response = HttpResponse(weasyprint.HTML(string=html).write_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{_export_name(module, "pdf")}"'
        return response
