"""The personal home page, notifications, and the error pages."""

import importlib.util

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Page
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views import View
from django.views.generic import ListView, TemplateView

from saypro.core import fragments, person_cache, roles, selectors, services
from saypro.core.ids import ids_param

# Each activity app contributes a panel to the home page: a function (person) -> dict or None
# with "title", "template" and its context. Listed here so core imports no app at module level.
HOME_PANELS = [
    "reflections.panels.home_panel",
    "feedback.panels.home_panel",
    "feedback.panels.heard_home_panel",
    "circles.panels.home_panel",
    "cafes.panels.home_panel",
]


def _home_panels(person) -> list[dict]:
    panels = []
    # The panels are kept per person in caches named "home:..."; read together, in one round trip.
    with fragments.read_ahead(person_id=person.pk, prefix="home:"):
        for dotted in HOME_PANELS:
            if importlib.util.find_spec(dotted.rsplit(".", 1)[0]) is None:
                continue
            panel = import_string(dotted)(person=person)
            if panel:
                panels.append(panel)
    return panels


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = self.request.user
        ctx.update(
            panels=_home_panels(person),
            is_officer=roles.is_officer.test(person),
            is_mentor=roles.is_mentor.test(person),
            is_manager=roles.is_manager.test(person),
            recent_notifications=person_cache.newest_notifications(person=person)[0][:5],
            placement=selectors.person_placement_names(person=person),
        )
        return ctx


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "core/notification_list.html"
    context_object_name = "notifications"
    paginate_by = person_cache.NOTIFICATIONS_PAGE

    def get_queryset(self):
        return selectors.notification_list(person=self.request.user)

    rows_html = None

    def paginate_queryset(self, queryset, page_size):
        if self.request.GET.get(self.page_kwarg, "1") != "1":
            return super().paginate_queryset(queryset, page_size)
        # The first page, where the bell leads, comes from the cache (no query), its rows rendered
        # with it; the count of all of them with it, for the pager.
        rows, total, self.rows_html = person_cache.newest_notifications_page(
            person=self.request.user, render=_notification_rows_html
        )
        paginator = self.get_paginator(queryset, page_size)
        paginator.count = total  # a cached_property: set, the paginator does not count again
        page = Page(rows[:page_size], 1, paginator)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows_html"] = self.rows_html or _notification_rows_html(ctx["notifications"])
        return ctx


def _notification_rows_html(rows) -> str:
    return render_to_string("core/partials/notification_rows.html", {"notifications": rows})


class NotificationMarkReadView(LoginRequiredMixin, View):
    def post(self, request):
        ids = ids_param(request.POST, "id")
        services.notifications_mark_read(recipient=request.user, ids=ids or None)
        if request.htmx:
            unread = selectors.notification_unread_count(person=request.user)
            return render(request, "core/partials/bell.html", {"unread_notifications": unread})
        return HttpResponseRedirect(reverse("core:notification-list"))


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    """Rendered without the request's context: whatever failed (the database, a context
    processor) must not also break the page that says so."""
    return HttpResponseServerError(render_to_string("500.html"))
