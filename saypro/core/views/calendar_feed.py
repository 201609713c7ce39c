"""A person's calendar subscription: the page that makes or ends it, and the feed itself.

The feed is read by calendar programs, which cannot sign in: the secret in its address is the
only key, so an unknown, ended or malformed secret answers 404 and says nothing more.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from saypro.core import selectors, services
from saypro.core.calendar import calendar_entries_for, ics_feed

# The address is shown once, on the page the person lands on after making it.
NEW_ADDRESS_SESSION_KEY = "calendar_feed_new_address"
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
TOKEN_MAX_LENGTH = 64


def _feed_address(request, token: str) -> str:
    return request.build_absolute_uri(reverse("core:calendar-feed", kwargs={"token": token}))


class CalendarSubscriptionView(LoginRequiredMixin, TemplateView):
    template_name = "core/calendar_subscription.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            feed=selectors.calendar_feed_of(person=self.request.user),
            new_address=self.request.session.pop(NEW_ADDRESS_SESSION_KEY, None),
            **kwargs,
        )

    def post(self, request):
        action = request.POST.get("action")
        if action == "create":
            token = services.calendar_feed_create(person=request.user)
            request.session[NEW_ADDRESS_SESSION_KEY] = _feed_address(request, token)
            messages.success(request, "Your calendar address is ready. Copy it now: it is shown only once.")
        elif action == "revoke":
            if services.calendar_feed_revoke(person=request.user):
                messages.success(request, "Your calendar address no longer works. Calendars using it stop updating.")
        else:
            return HttpResponseBadRequest("Unknown action.")
        return redirect("core:calendar-subscription")


class CalendarFeedView(View):
    """The person's upcoming feedback sessions, circles and cafés as an iCalendar feed."""

    def get(self, request, token: str):
        if len(token) > TOKEN_MAX_LENGTH:
            raise Http404
        person = selectors.calendar_feed_person(token=token)
        if person is None:
            raise Http404
        now = timezone.now()
        body = ics_feed(entries=calendar_entries_for(person=person, now=now), name="SayPro learning", now=now)
        services.calendar_feed_mark_read(person=person, now=now)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="saypro-learning.ics"'
        # The address is a secret: no shared cache may keep a copy, no search engine may list it.
        response["Cache-Control"] = "private, max-age=300"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response
