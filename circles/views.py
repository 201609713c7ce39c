"""Pages of the circles app: thin views over selectors and services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from saypro.core import fragments, roles
from saypro.core.ids import id_from, id_param
from saypro.core.models import User
from saypro.core.views.refusals import add_service_errors, refusal_as_message

from . import selectors, services
from .forms import (
    RANK_FIELDS,
    AttendanceForm,
    CancelForm,
    LearningForm,
    LeaveForm,
    MoveForm,
    NeverWithForm,
    RoundForm,
    SignupForm,
    StandingForm,
    TopicForm,
)
from .models import Circle, Learning, Round, Topic

CIRCLES_PER_PAGE = 12


class ParticipantMixin(PermissionRequiredMixin):
    permission_required = "circles.take_part"


class OfficerMixin(PermissionRequiredMixin):
    """Officer-only pages: anonymous people sign in, other signed-in people get 403."""

    permission_required = "circles.run_rounds"


class CircleObjectMixin(PermissionRequiredMixin):
    """Pages about one circle; a signed-in person without rights gets 404, since even its existence is private."""

    permission_required = "circles.see_circle"

    def get_circle(self) -> Circle:
        if not hasattr(self, "_circle"):
            self._circle = get_object_or_404(
                Circle.objects.select_related("round", "topic", "host"), pk=self.kwargs["pk"]
            )
        return self._circle

    def get_permission_object(self):
        return self.get_circle()

    def handle_no_permission(self):
        user = self.request.user
        if user.is_authenticated and not user.has_perm("circles.see_circle", self.get_circle()):
            raise Http404("No such circle.")
        # Anonymous people sign in; a member without this particular right gets 403.
        return super().handle_no_permission()


# --- a person's pages -----------------------------------------------------------------------------


class MyCirclesView(ParticipantMixin, TemplateView):
    template_name = "circles/mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = self.request.user
        now = timezone.now()
        mine = selectors.my_circles_cached(person=person)
        htmls = circle_cards_html(self.request, [pk for pk, _ in mine.circles])
        cards = [CircleCard(pk=pk, ends_at=end, html=html) for (pk, end), html in zip(mine.circles, htmls, strict=True)]
        ctx.update(
            open_round=mine.open_round,
            signup=mine.signup,
            standing=mine.standing,
            upcoming=[card for card in cards if card.ends_at > now],
            past=[card for card in cards if card.ends_at <= now],
            now=now,
            runs_rounds=roles.is_officer.test(person),
        )
        return ctx


@dataclass(frozen=True)
class CircleCard:
    pk: int
    ends_at: datetime
    html: str


def circle_cards_html(request, ids: list[int]) -> list[str]:
    """Each circle's card as its members see it on "My circles": the same for each of them (the
    members, the prompts, the learnings not hidden), so kept as HTML until the circle, a member or a
    learning changes. The page read every circle's members and learnings on every view (0.017x the
    trivial view with twelve weeks of circles)."""

    def contexts(keys: list[str]) -> dict[str, dict]:
        circles = selectors.circles_with_members_and_learnings(ids=[int(key.split(":")[1]) for key in keys])
        return {f"circle:{circle.pk}": {"circle": circle} for circle in circles}

    return fragments.shared_html_many(
        caches=[selectors.ROUNDS_CACHE, selectors.ROUND_MEMBERS_CACHE, selectors.LEARNINGS_CACHE],
        keys=[f"circle:{pk}" for pk in ids],
        template_name="circles/partials/circle_card.html",
        contexts=contexts,
        request=request,
    )


class SignupView(ParticipantMixin, View):
    template_name = "circles/signup.html"

    def _render(self, request, form, round, signup, status=200):
        return render(request, self.template_name, {"form": form, "round": round, "signup": signup}, status=status)

    def get(self, request):
        round = selectors.round_open_get()
        if round is None:
            return render(request, self.template_name, {"round": None})
        signup = selectors.signup_get(round=round, person=request.user)
        initial = {}
        if signup is not None:
            initial["not_this_week"] = signup.not_this_week
            for name, choice in zip(RANK_FIELDS, signup.choices.all(), strict=False):
                initial[name] = choice.topic_id
        standing = selectors.standing_get(person=request.user)
        initial["every_week"] = bool(standing and standing.is_active)
        return self._render(request, SignupForm(round=round, initial=initial), round, signup)

    def post(self, request):
        # The round the person saw, so a form sent after its deadline is told so.
        round_id = id_param(request.POST, "round")
        round = (
            Round.objects.filter(pk=round_id).first() if round_id is not None else None
        ) or selectors.round_open_get()
        if round is None:
            messages.error(request, "There is no round open for sign-up right now.")
            return HttpResponseRedirect(reverse("circles:mine"))
        signup = selectors.signup_get(round=round, person=request.user)
        form = SignupForm(request.POST, round=round)
        if form.is_valid():
            try:
                services.signup_save(
                    round=round,
                    person=request.user,
                    topic_ids=form.ranked_topic_ids(),
                    not_this_week=form.cleaned_data["not_this_week"],
                    every_week=form.cleaned_data["every_week"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"topics": "first_choice"})
            else:
                if form.cleaned_data["not_this_week"]:
                    messages.success(request, "Noted: not this week. See you another week.")
                else:
                    messages.success(request, "You are signed up. Your circle is announced after the deadline.")
                return HttpResponseRedirect(reverse("circles:mine"))
        return self._render(request, form, round, signup, status=400)


class StandingView(ParticipantMixin, View):
    template_name = "circles/standing.html"

    def get(self, request):
        standing = selectors.standing_get(person=request.user)
        initial = {"is_active": True}
        if standing is not None:
            initial = {"is_active": standing.is_active, "paused_until": standing.paused_until}
            for name, topic_id in zip(RANK_FIELDS, standing.topic_ids, strict=False):
                initial[name] = topic_id
        return render(request, self.template_name, {"form": StandingForm(initial=initial), "standing": standing})

    def post(self, request):
        form = StandingForm(request.POST)
        if form.is_valid():
            try:
                services.standing_save(
                    person=request.user,
                    topic_ids=form.ranked_topic_ids(),
                    is_active=form.cleaned_data["is_active"],
                    paused_until=form.cleaned_data["paused_until"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"topics": "first_choice"})
            else:
                messages.success(request, "Your weekly sign-up is saved.")
                return HttpResponseRedirect(reverse("circles:mine"))
        standing = selectors.standing_get(person=request.user)
        return render(request, self.template_name, {"form": form, "standing": standing}, status=400)


class NeverWithView(ParticipantMixin, View):
    template_name = "circles/never_with.html"

    def _render(self, request, form, status=200):
        rules = selectors.never_with_list(person=request.user)
        return render(request, self.template_name, {"form": form, "rules": rules}, status=status)

    def get(self, request):
        return self._render(request, NeverWithForm())

    def post(self, request):
        form = NeverWithForm(request.POST)
        if form.is_valid():
            try:
                rule = services.never_with_add(person=request.user, email=form.cleaned_data["email"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"You will not share a circle with {rule.other.full_name}.")
                return HttpResponseRedirect(reverse("circles:never-with"))
        return self._render(request, form, status=400)


class NeverWithRemoveView(ParticipantMixin, View):
    def post(self, request, pk: int):
        if not services.never_with_remove(person=request.user, rule_id=pk):
            raise Http404("No such rule.")
        messages.success(request, "Removed from your list.")
        return HttpResponseRedirect(reverse("circles:never-with"))


class HistoryView(ParticipantMixin, TemplateView):
    template_name = "circles/history.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["met"] = selectors.people_met_list(person=self.request.user)
        return ctx


# --- one circle -----------------------------------------------------------------------------------


class CircleDetailView(CircleObjectMixin, View):
    template_name = "circles/circle_detail.html"

    def get(self, request, pk: int):
        return self.render_page(request, learning_form=LearningForm())

    def render_page(self, request, *, learning_form, status=200):
        person = request.user
        circle = selectors.circle_get_for(pk=self.get_circle().pk, person=person)
        memberships = list(circle.memberships.all())
        mine = next((m for m in memberships if m.person_id == person.pk), None)
        now = timezone.now()
        has_met = circle.round.state == Round.State.PUBLISHED and now >= circle.round.meets_at
        ctx = {
            "circle": circle,
            "round": circle.round,
            "memberships": memberships,
            "membership": mine,
            "has_met": has_met,
            "may_leave": mine is not None and not mine.has_left and not has_met and circle.round.state == "published",
            "may_share": mine is not None and not mine.has_left and has_met,
            "may_record_attendance": has_met and request.user.has_perm("circles.record_attendance", circle),
            "may_moderate": roles.is_officer.test(person),
            "learning_form": learning_form,
        }
        return render(request, self.template_name, ctx, status=status)


class CircleInviteView(CircleObjectMixin, View):
    def get(self, request, pk: int):
        circle = self.get_circle()
        if circle.round.state != Round.State.PUBLISHED:
            raise Http404("The circle is not published yet.")
        members = [m.person for m in selectors.circle_active_members(circle=circle)]
        invite = services.circle_invite(circle=circle, members=members)
        response = HttpResponse(invite["content"], content_type=invite["mimetype"])
        response["Content-Disposition"] = f'attachment; filename="circle-{circle.pk}.ics"'
        return response


class CircleLeaveView(CircleObjectMixin, View):
    permission_required = "circles.leave_circle"
    template_name = "circles/circle_leave.html"

    def get(self, request, pk: int):
        return render(request, self.template_name, {"circle": self.get_circle(), "form": LeaveForm()})

    def post(self, request, pk: int):
        circle = self.get_circle()
        form = LeaveForm(request.POST)
        if form.is_valid():
            membership = selectors.membership_get(circle=circle, person=request.user)
            try:
                services.circle_membership_leave(
                    membership=membership, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "You left the circle; the host has been told.")
                return HttpResponseRedirect(reverse("circles:mine"))
        return render(request, self.template_name, {"circle": circle, "form": form}, status=400)


class AttendanceView(CircleObjectMixin, View):
    permission_required = "circles.record_attendance"
    template_name = "circles/attendance.html"

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {"circle": self.get_circle(), "form": form}, status=status)

    def get(self, request, pk: int):
        memberships = selectors.circle_active_members(circle=self.get_circle())
        return self._render(request, AttendanceForm(memberships=memberships))

    def post(self, request, pk: int):
        circle = self.get_circle()
        memberships = selectors.circle_active_members(circle=circle)
        form = AttendanceForm(request.POST, memberships=memberships)
        if form.is_valid():
            try:
                services.circle_attendance_record(
                    circle=circle, by=request.user, attended_person_ids=form.cleaned_data["attended"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Attendance recorded. Thank you for hosting!")
                return HttpResponseRedirect(reverse("circles:circle-detail", kwargs={"pk": circle.pk}))
        return self._render(request, form, status=400)


class LearningCreateView(CircleObjectMixin, View):
    def post(self, request, pk: int):
        circle = self.get_circle()
        form = LearningForm(request.POST)
        if form.is_valid():
            try:
                services.circle_learning_record(
                    circle=circle,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    submission_token=form.cleaned_data["submission_token"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Learning shared with your circle. A reflection prompt is on its way.")
                return HttpResponseRedirect(reverse("circles:circle-detail", kwargs={"pk": circle.pk}))
        return CircleDetailView(request=request, kwargs=self.kwargs, _circle=circle).render_page(
            request, learning_form=form, status=400
        )


# --- officer pages --------------------------------------------------------------------------------


class LearningHideView(OfficerMixin, View):
    """Hide a learning that breaks the rules, with the reason kept; it then no longer counts or shows."""

    def post(self, request, pk: int):
        learning = get_object_or_404(Learning.objects.select_related("circle"), pk=pk)
        with refusal_as_message(request):
            services.circle_learning_hide(learning=learning, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "The learning is hidden.")
        return HttpResponseRedirect(reverse("circles:circle-detail", kwargs={"pk": learning.circle_id}))


class RoundListView(OfficerMixin, TemplateView):
    template_name = "circles/round_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rounds"] = selectors.round_list()[:30]
        return ctx


class RoundOpenView(OfficerMixin, View):
    def post(self, request):
        today = timezone.localdate()
        try:
            round, created = services.round_open(
                week_starts_on=today + timezone.timedelta(days=7 - today.weekday()), by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("circles:round-list"))
        if created:
            messages.success(request, "Next week's round is open for sign-up.")
        else:
            messages.info(request, "Next week's round was already open.")
        return HttpResponseRedirect(reverse("circles:round-detail", kwargs={"pk": round.pk}))


class RoundMixin(OfficerMixin):
    def get_round(self) -> Round:
        if not hasattr(self, "_round"):
            self._round = selectors.round_get(pk=self.kwargs["pk"])
            if self._round is None:
                raise Http404("No such round.")
        return self._round


class CachedRoundMixin(RoundMixin):
    """For pages that only read the round: it comes from the cache with its number of circles (the
    pages that write one, and the services, read it from the database)."""

    def get_round(self) -> Round:
        if not hasattr(self, "_round"):
            self._round, self.circle_count = selectors.round_get_cached(pk=self.kwargs["pk"])
            if self._round is None:
                raise Http404("No such round.")
        return self._round

    def circle_paginator(self) -> Paginator:
        paginator = round_circle_paginator(self.get_round())
        paginator.count = self.circle_count  # a cached_property: set, the paginator does not count again
        return paginator


class RoundDetailView(CachedRoundMixin, TemplateView):
    """The officer's round: its summary, then one page of its circles (?page=N, the first by default)."""

    template_name = "circles/round_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round = self.get_round()
        page = self.circle_paginator().get_page(self.request.GET.get("page"))
        ctx.update(round=round, page_obj=page, circles_html=round_circle_page_html(self.request, round, page))
        ctx["counts"] = selectors.round_signup_counts_cached(round=round)
        # Only while reviewing: before forming, this would list who signed up, which stays private.
        ctx["unplaced_html"] = round_unplaced_html(self.request, round) if round.state == Round.State.FORMED else ""
        return ctx


class RoundCirclesView(CachedRoundMixin, View):
    """htmx: the next page of a round's circles, put in place of the link that asked for it. Without
    htmx, the round page at that page. Without a page number, the first; a page number that is not one
    of the round's pages is 404."""

    def get(self, request, pk: int):
        round = self.get_round()
        try:
            page = self.circle_paginator().page(request.GET.get("page", 1))
        except InvalidPage as exc:
            raise Http404("No such page of circles.") from exc
        if not request.htmx:
            return HttpResponseRedirect(
                reverse("circles:round-detail", kwargs={"pk": round.pk}) + f"?page={page.number}"
            )
        return HttpResponse(round_circle_page_html(request, round, page, swapped_in=True))


class _CirclesReadWhenShown:
    """A round's circles for its paginator (which is told their number), read only when a page of
    them is rendered: the pages are kept rendered (round_circle_page_html), and building their query
    for nothing was a sixth of a kept round page's time (benchmarks/bench_throughput.py)."""

    def __init__(self, round: Round) -> None:
        self.round = round

    def __getitem__(self, index: slice) -> SimpleLazyObject:
        return SimpleLazyObject(lambda: list(selectors.round_circle_review_list(round=self.round)[index]))


def round_circle_paginator(round: Round) -> Paginator:
    return Paginator(_CirclesReadWhenShown(round), CIRCLES_PER_PAGE)


def round_circle_page_html(request, round: Round, page, *, swapped_in: bool = False) -> str:
    """One page of a round's circles as the round page and its "more circles" part show them.

    Every officer sees a round's circles alike, and a formed round's pages read hundreds of
    members: the HTML is kept until the round, a circle, a membership or a person changes (a
    formed round's page was 38 ms in process, 0.017x the trivial view under load).
    """

    def context() -> dict:
        return {
            "round": round,
            "swapped_in": swapped_in,
            "page_obj": page,
            "circles_after": page.paginator.count - page.end_index(),
            "circle_rows": selectors.circle_review_rows(circles=page.object_list),
            "reviewing": round.state == Round.State.FORMED,
        }

    return fragments.shared_html(
        caches=[selectors.ROUNDS_CACHE, selectors.ROUND_MEMBERS_CACHE],
        key=f"round:{round.pk}:page:{page.number}:{'more' if swapped_in else 'first'}",
        template_name="circles/partials/round_circle_page.html",
        context=context,
        request=request,
    )


def round_unplaced_html(request, round: Round) -> str:
    """Who signed up for a formed round and is in no circle yet (the first 100), kept like its circles."""
    return fragments.shared_html(
        caches=[selectors.ROUNDS_CACHE, selectors.ROUND_MEMBERS_CACHE, selectors.SIGNUP_COUNTS_CACHE],
        key=f"round:{round.pk}:unplaced",
        template_name="circles/partials/round_unplaced.html",
        context=lambda: {"round": round, "unplaced": list(selectors.round_unplaced_list(round=round)[:100])},
        request=request,
    )


def round_circle_url(circle: Circle) -> str:
    """The round page at the page that shows this circle, scrolled to it."""
    page = selectors.circle_circles_before(circle=circle) // CIRCLES_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return reverse("circles:round-detail", kwargs={"pk": circle.round_id}) + f"{query}#circle-{circle.number}"


def _round_form_post(request, template_name: str, round: Round, form, save: Callable[[dict], object], done: str):
    """A round's officer form posted: on a valid form run save(cleaned_data) and go back to the round with
    the message done; otherwise (or when the service refuses, its errors put next to the fields) the form
    again, with status 400."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("circles:round-detail", kwargs={"pk": round.pk}))
    return render(request, template_name, {"round": round, "form": form}, status=400)


class RoundEditView(RoundMixin, View):
    template_name = "circles/round_edit.html"

    def get(self, request, pk: int):
        round = self.get_round()
        return render(request, self.template_name, {"round": round, "form": RoundForm(round=round)})

    def post(self, request, pk: int):
        round = self.get_round()
        form = RoundForm(request.POST, round=round)
        return _round_form_post(
            request,
            self.template_name,
            round,
            form,
            lambda data: services.round_update(round=round, by=request.user, **data),
            "The round is updated.",
        )


class RoundFormGroupsView(RoundMixin, View):
    def post(self, request, pk: int):
        round = self.get_round()
        with refusal_as_message(request):
            services.circle_round_form_groups(round=round, by=request.user)
            round.refresh_from_db()
            messages.success(request, round.formation_reason)
        return HttpResponseRedirect(reverse("circles:round-detail", kwargs={"pk": round.pk}))


class RoundCancelView(RoundMixin, View):
    template_name = "circles/round_cancel.html"

    def get(self, request, pk: int):
        return render(request, self.template_name, {"round": self.get_round(), "form": CancelForm()})

    def post(self, request, pk: int):
        round = self.get_round()
        form = CancelForm(request.POST)
        return _round_form_post(
            request,
            self.template_name,
            round,
            form,
            lambda data: services.circle_round_cancel(round=round, by=request.user, reason=data["reason"]),
            "This week's circles are called off; everyone signed up has been told.",
        )


class RoundPublishView(RoundMixin, View):
    def post(self, request, pk: int):
        round = self.get_round()
        with refusal_as_message(request):
            services.circle_round_publish(round=round, by=request.user)
            messages.success(request, "Published. Every member is being e-mailed their circle with a calendar invite.")
        return HttpResponseRedirect(reverse("circles:round-detail", kwargs={"pk": round.pk}))


class CircleLockView(OfficerMixin, View):
    def post(self, request, pk: int):
        circle = get_object_or_404(Circle.objects.select_related("round", "topic"), pk=pk)
        with refusal_as_message(request):
            services.circle_lock(circle=circle, by=request.user, locked=request.POST.get("locked") == "1")
        return HttpResponseRedirect(round_circle_url(circle))


class MembershipMoveView(RoundMixin, View):
    """Move one person: a small page (loaded inline by htmx) with a live preview of the target circle."""

    template_name = "circles/move.html"

    def _context(self, form, person):
        return {"round": self.get_round(), "person": person, "form": form}

    def _person(self):
        return get_object_or_404(User.objects.select_related("department", "location"), pk=self.kwargs["person_id"])

    def _form(self, round, person, data=None) -> MoveForm:
        topics = [t for t in round.topics.all() if t.is_active]
        return MoveForm(
            data,
            targets=selectors.circle_move_targets(round=round),
            topics=topics,
            people=selectors.round_signed_up_people(round=round).exclude(pk=person.pk),
        )

    def get(self, request, pk: int, person_id: int):
        round, person = self.get_round(), self._person()
        form = self._form(round, person)
        template = "circles/partials/move_form.html" if request.htmx else self.template_name
        return render(request, template, self._context(form, person))

    def post(self, request, pk: int, person_id: int):
        round, person = self.get_round(), self._person()
        form = self._form(round, person, request.POST)
        if form.is_valid():
            circle_id, topic_id = form.target()
            to_circle = round.circles.filter(pk=circle_id).first() if circle_id else None
            try:
                if circle_id and to_circle is None:
                    raise ValidationError({"to_circle": "That circle no longer exists."})
                to_circle = services.circle_membership_move(
                    round=round,
                    person=person,
                    to_circle=to_circle,
                    new_circle_topic=round.topics.filter(pk=topic_id).first() if topic_id else None,
                    together_with=form.cleaned_data["together_with"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                names = ", ".join(p.full_name for p in [person, *form.cleaned_data["together_with"]])
                messages.success(request, f"{names} moved to circle {to_circle.number}.")
                return HttpResponseRedirect(round_circle_url(to_circle))
        return render(request, self.template_name, self._context(form, person), status=400)


class MovePreviewView(RoundMixin, View):
    """htmx: how the target circle would look (its explanation, recomputed) with this person in it."""

    def get(self, request, pk: int, person_id: int):
        round = self.get_round()
        if id_from(person_id) is None:
            # The path's <int:> takes any run of digits; this one goes into a pk__in query.
            raise Http404("No such person.")
        to_circle = id_param(request.GET, "to_circle")
        circle = (
            round.circles.filter(pk=to_circle).select_related("round", "topic").first()
            if to_circle is not None
            else None
        )
        if circle is None:
            return render(request, "circles/partials/move_preview.html", {"explanation": None})
        members = [m.person_id for m in selectors.circle_active_members(circle=circle) if m.person_id != person_id]
        explanation = selectors.circle_explain(circle=circle, member_ids=[*members, int(person_id)])
        return render(
            request,
            "circles/partials/move_preview.html",
            {"explanation": explanation, "circle": circle, "size": len(members) + 1},
        )


class TopicListView(OfficerMixin, TemplateView):
    template_name = "circles/topic_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["topics"] = selectors.topic_list()
        return ctx


class TopicEditView(OfficerMixin, View):
    template_name = "circles/topic_form.html"

    def _topic(self) -> Topic | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(Topic, pk=pk) if pk else None

    def get(self, request, pk: int | None = None):
        topic = self._topic()
        return render(request, self.template_name, {"form": TopicForm(instance=topic), "topic": topic})

    def post(self, request, pk: int | None = None):
        topic = self._topic()
        form = TopicForm(request.POST, instance=topic)
        if form.is_valid():
            try:
                services.topic_save(by=request.user, topic=topic, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The topic is saved.")
                return HttpResponseRedirect(reverse("circles:topic-list"))
        return render(request, self.template_name, {"form": form, "topic": topic}, status=400)
