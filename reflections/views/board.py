"""The learning board and the mentor queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.generic import ListView
from rules.contrib.views import PermissionRequiredMixin

from reflections import board_cache, selectors
from reflections.forms import BoardFilterForm
from reflections.selectors.review import MENTOR_QUEUE_CACHE
from saypro.core import fragments

QUEUE_TIMES_KEPT = timedelta(minutes=1)


class BoardView(LoginRequiredMixin, ListView):
    """Reflections shared with colleagues, newest first, with filters and search."""

    template_name = "reflections/board.html"
    context_object_name = "reflections"
    paginate_by = 20

    def get_queryset(self):
        self.filter_form = BoardFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.board_list(
            kind=filters.get("kind") or None,
            department_id=getattr(filters.get("department"), "pk", None),
            location_id=getattr(filters.get("location"), "pk", None),
            validated_only=bool(filters.get("validated")),
            search=filters.get("q", ""),
        )

    def get(self, request, *args, **kwargs):
        # The list is the same for everyone: rendered once per board version and query string.
        html = board_cache.board_fragment(request.GET.urlencode(), render=self._render_list)
        return render(request, self.template_name, {"board_html": mark_safe(html)})  # noqa: S308 -- our own rendering

    def _render_list(self) -> str:
        """The filter form, count, cards and pages; without the request, so nothing about the viewer."""
        self.object_list = self.get_queryset()
        return render_to_string("reflections/partials/board_list.html", self.get_context_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = {k: v for k, v in self.request.GET.items() if k != "page" and v}
        ctx.update(filter_form=self.filter_form, querystring_base=urlencode(params), filtered=bool(params))
        return ctx


class MentorQueueView(PermissionRequiredMixin, ListView):
    """Mentees' reflections shared with this mentor and waiting for a review, oldest first."""

    permission_required = "reflections.mentor_queue"
    template_name = "reflections/mentor_queue.html"
    context_object_name = "reflections"
    paginate_by = 25

    def get_queryset(self):
        return selectors.mentor_queue(mentor=self.request.user)

    def get(self, request, *args, **kwargs):
        # The page is kept per mentor and query string (selectors.review.MENTOR_QUEUE_CACHE).
        html = MENTOR_QUEUE_CACHE.get_or_set(
            person_id=request.user.pk,
            part=fragments.query_part(request),
            compute=self._render_queue,
        )
        return render(request, self.template_name, {"queue_html": mark_safe(html)})  # noqa: S308 -- our own rendering

    def _render_queue(self) -> tuple[str, datetime]:
        """The counts, the page of the queue and its pages; kept a minute, since it says how long
        each reflection has waited."""
        self.object_list = self.get_queryset()
        html = render_to_string("reflections/partials/mentor_queue_body.html", self.get_context_data())
        return str(html), timezone.now() + QUEUE_TIMES_KEPT

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # The queue's length is the "waiting for your review" count, read with the other counts:
        # the paginator need not count the same rows again.
        paginator.count = self.counts["awaiting"]
        return paginator

    @cached_property
    def counts(self) -> dict[str, int]:
        return selectors.mentor_queue_counts(mentor=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["counts"] = self.counts
        return ctx
