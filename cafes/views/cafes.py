"""Cafés: the list, the café page with RSVP, and the officer's planning pages and agenda."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from saypro.core import fragments
from saypro.core.roles import is_officer
from saypro.core.views.refusals import add_service_errors, refusal_as_message

from .. import selectors, services
from ..forms import CafeCancelForm, CafeForm, CafeHeldForm
from ..models import Cafe, Rsvp, TalkProposal
from .mixins import CachedCafeObjectMixin, CafeObjectMixin, PrivateObjectPermissionMixin


class CafeListView(PermissionRequiredMixin, TemplateView):
    template_name = "cafes/cafe_list.html"
    permission_required = "cafes.list_cafes"
    upcoming_limit = 12
    past_per_page = 12

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        viewer = self.request.user
        now = timezone.now()
        page = Paginator(selectors.cafe_past(viewer=viewer, now=now), self.past_per_page).get_page(
            self.request.GET.get("page")
        )
        ctx.update(
            upcoming=list(selectors.cafe_upcoming(viewer=viewer, now=now)[: self.upcoming_limit]),
            page_obj=page,
            past=page.object_list,
            is_paginated=page.has_other_pages(),
            is_officer=is_officer.test(viewer),
        )
        return ctx


def cafe_page_context(*, cafe: Cafe, viewer) -> dict:
    """What the café page and its RSVP box show; a bounded number of queries."""
    now = timezone.now()
    officer = is_officer.test(viewer)
    announced = cafe.state in {Cafe.State.PUBLISHED, Cafe.State.HELD}
    shows_agenda = announced or officer
    # The slots are read only where they are rendered (the agenda section's kept HTML missing):
    # the section is chosen by who speaks in it.
    slots = SimpleLazyObject(lambda: selectors.cafe_agenda_cached(cafe=cafe)) if shows_agenda else []
    speakers = selectors.cafe_agenda_speakers_cached(cafe=cafe) if shows_agenda else frozenset()
    seats, rsvp = selectors.cafe_seats_and_rsvp(cafe=cafe, person=viewer)
    started = cafe.starts_at <= now
    attended = rsvp is not None and (rsvp.status == Rsvp.Status.GOING or rsvp.attended)
    return {
        "cafe": cafe,
        "slots": slots,
        "speakers": speakers,
        "agenda_is_public": announced,
        "seats": seats,
        "rsvp": rsvp,
        "can_rsvp": cafe.state in services.OPEN_STATES and not started,
        "feedback_open": announced and started and attended,
        "is_officer": officer,
    }


def agenda_section_html(ctx: dict, *, request) -> str:
    """The café page's agenda section, rendered once per café version and kind of reader.

    What differs between readers is in the key: whether the agenda is public yet (officers see a
    draft), whether the reader may give feedback, and the reader's id only when they speak in it
    (their own talk's button); everyone else of a kind shares one rendering.
    """
    cafe, speakers, viewer = ctx["cafe"], ctx["speakers"], request.user
    speaker = viewer.pk if viewer.pk in speakers else 0
    shown = f"{bool(speakers)}:{ctx['agenda_is_public']}:{ctx['feedback_open']}"
    key = f"agenda-html:{cafe.pk}:{cafe.state}:{shown}:{speaker}"
    context = {name: ctx[name] for name in ("cafe", "slots", "agenda_is_public", "feedback_open")}
    return fragments.shared_html(
        caches=[selectors.AGENDA_CACHE],
        key=key,
        template_name="cafes/partials/cafe_agenda_section.html",
        context=lambda: {**context, "user": viewer},
        request=request,
    )


class CafeDetailView(CachedCafeObjectMixin, PrivateObjectPermissionMixin, TemplateView):
    template_name = "cafes/cafe_detail.html"
    permission_required = "cafes.read_cafe"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(cafe_page_context(cafe=self.get_object(), viewer=self.request.user))
        ctx["agenda_section"] = agenda_section_html(ctx, request=self.request)
        return ctx


class RsvpView(CafeObjectMixin, PrivateObjectPermissionMixin, View):
    """Going, or not coming after all. htmx swaps the RSVP box; without JavaScript the page reloads."""

    permission_required = "cafes.rsvp_cafe"

    def post(self, request, pk):
        cafe = self.get_object()
        action = request.POST.get("action")
        error = None
        try:
            if action == "going":
                rsvp = services.rsvp_going(cafe=cafe, person=request.user)
                if rsvp.status == Rsvp.Status.GOING:
                    message = "You're going. A calendar invite is on its way."
                else:
                    message = "The café is full: you're on the waitlist and will be told if a seat opens up."
            elif action == "cancel":
                services.rsvp_cancel(cafe=cafe, person=request.user)
                message = "Thanks for letting us know: your seat is free for someone else."
            else:
                raise ValidationError("Choose going or not coming.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        cafe.refresh_from_db()
        if request.htmx:
            ctx = cafe_page_context(cafe=cafe, viewer=request.user)
            ctx.update(rsvp_error=error, rsvp_message=None if error else message)
            return render(request, "cafes/partials/rsvp_box.html", ctx)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(reverse("cafes:cafe-detail", args=[cafe.pk]))


class OfficerCafeMixin(CafeObjectMixin, PermissionRequiredMixin):
    """Officer-only pages about one café: 403 for a signed-in non-officer."""

    permission_required = "cafes.manage_cafe"

    def detail_url(self) -> str:
        return reverse("cafes:cafe-detail", args=[self.get_object().pk])


class CafeCreateView(PermissionRequiredMixin, FormView):
    template_name = "cafes/cafe_form.html"
    form_class = CafeForm
    permission_required = "cafes.manage_cafe"

    def form_valid(self, form):
        try:
            cafe = services.cafe_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Café drafted. Open it for proposals when its details are right.")
        return HttpResponseRedirect(reverse("cafes:cafe-detail", args=[cafe.pk]))


class CafeUpdateView(OfficerCafeMixin, FormView):
    template_name = "cafes/cafe_form.html"
    form_class = CafeForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # An unsaved copy, so a refused change never touches the café shown elsewhere on the page.
        kwargs["instance"] = Cafe.objects.get(pk=self.get_object().pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(cafe=self.get_object(), **kwargs)

    def form_valid(self, form):
        try:
            services.cafe_update(cafe=self.get_object(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Café saved.")
        return HttpResponseRedirect(self.detail_url())


class CafeOpenView(OfficerCafeMixin, View):
    def post(self, request, pk):
        with refusal_as_message(request):
            services.cafe_open(cafe=self.get_object(), by=request.user)
            messages.success(request, "The café is open for talk proposals and RSVPs.")
        return HttpResponseRedirect(self.detail_url())


class CafeCancelView(OfficerCafeMixin, FormView):
    template_name = "cafes/cafe_cancel.html"
    form_class = CafeCancelForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(cafe=self.get_object(), **kwargs)

    def form_valid(self, form):
        try:
            services.cafe_cancel(cafe=self.get_object(), by=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "The café is cancelled and everyone affected is told.")
        return HttpResponseRedirect(self.detail_url())


class CafeHeldView(OfficerCafeMixin, FormView):
    template_name = "cafes/cafe_held.html"
    form_class = CafeHeldForm

    def going_people(self):
        if not hasattr(self, "_going"):
            self._going = [r.person for r in selectors.rsvp_going_list(cafe=self.get_object())]
        return self._going

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "people": self.going_people()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cafe=self.get_object(), **kwargs)

    def form_valid(self, form):
        try:
            services.cafe_mark_held(
                cafe=self.get_object(),
                by=self.request.user,
                attended_ids=[p.pk for p in form.cleaned_data["attended"]],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "The café is marked held; attendees are invited to write a reflection.")
        return HttpResponseRedirect(self.detail_url())


def agenda_context(*, cafe: Cafe, focus: tuple[int, str] | None = None, status: str = "") -> dict:
    # Cached per version: a move saves the talks, which bumps the version before this is read again.
    slots = selectors.cafe_agenda_cached(cafe=cafe)
    return {"cafe": cafe, "slots": slots, "last_number": len(slots), "focus": focus, "status": status}


class AgendaView(CachedCafeObjectMixin, OfficerCafeMixin, TemplateView):
    template_name = "cafes/agenda.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cafe = self.get_object()
        # Every officer sees the agenda's slots and the proposals waiting alike: rendered once per
        # version of what they show (the page was 26 ms in process, 0.042x the trivial view).
        ctx["cafe"] = cafe
        ctx["agenda_html"] = fragments.shared_html(
            caches=[selectors.AGENDA_CACHE],
            key=f"agenda-edit:{cafe.pk}",
            template_name="cafes/partials/agenda_list.html",
            context=lambda: agenda_context(cafe=cafe),
            request=self.request,
        )
        ctx["waiting_html"] = fragments.shared_html(
            caches=[selectors.WAITING_CACHE],
            key=f"waiting:{cafe.pk}",
            template_name="cafes/partials/agenda_waiting.html",
            context=lambda: {"waiting": selectors.talk_waiting_list_cached(cafe=cafe)},
            request=self.request,
        )
        return ctx


class AgendaMoveView(OfficerCafeMixin, View):
    """Move a talk one slot up or down. Keyboard: the button keeps focus after the htmx swap."""

    def post(self, request, pk, talk_pk):
        cafe = self.get_object()
        direction = request.POST.get("direction", "")
        talk = TalkProposal.objects.filter(pk=talk_pk, cafe=cafe).first()
        status, error = "", None
        if talk is None:
            error = "This talk is not on this café's agenda."
        else:
            try:
                talk = services.agenda_move(talk=talk, by=request.user, direction=direction)
                status = f"“{talk.title}” is now in slot {talk.position}."
            except ValidationError as exc:
                error = " ".join(exc.messages)
        cafe.refresh_from_db()
        if request.htmx:
            ctx = agenda_context(cafe=cafe, status=error or status)
            if talk is not None and not error:
                last = ctx["last_number"]
                keep = direction
                if (direction == "up" and talk.position == 1) or (direction == "down" and talk.position == last):
                    keep = "down" if direction == "up" else "up"
                ctx["focus"] = (talk.pk, keep)
            return render(request, "cafes/partials/agenda_list.html", ctx)
        if error:
            messages.error(request, error)
        elif status:
            messages.success(request, status)
        return HttpResponseRedirect(reverse("cafes:agenda", args=[cafe.pk]))


class AgendaPublishView(OfficerCafeMixin, View):
    def post(self, request, pk):
        cafe = self.get_object()
        was_published = cafe.state == Cafe.State.PUBLISHED
        with refusal_as_message(request):
            services.agenda_publish(cafe=cafe, by=request.user)
            messages.success(
                request,
                "The updated agenda is sent to the speakers."
                if was_published
                else "The agenda is published: every speaker has their slot and a calendar invite.",
            )
        return HttpResponseRedirect(reverse("cafes:agenda", args=[cafe.pk]))
