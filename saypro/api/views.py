"""The API under /api/v1/: thin views over the apps' selectors and services.

Every read goes through the selector the web page uses (so the same person sees the same
things), every write through the service the web form calls (so the same validation holds).
A person's own objects are found through selectors filtered for them: someone else's is 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cafes import selectors as cafe_selectors
from cafes import services as cafe_services
from cafes.models import Cafe, Rsvp
from circles import selectors as circle_selectors
from circles import services as circle_services
from reflections import selectors as reflection_selectors
from reflections import services as reflection_services
from reflections.models import Reflection
from saypro.core import roles
from saypro.core.learning_log import learning_log_gather
from saypro.impact import selectors as impact_selectors

from . import serializers
from .reference import api_reference

MAX_ID = 2**31 - 1


@contextmanager
def service_refusals() -> Iterator[None]:
    """A service's refusal as a 400 with the same messages the web form shows next to its fields."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(dict(error.message_dict.items())) from error
        raise ValidationError({"non_field_errors": error.messages}) from error


def _input(serializer_class, request: Request) -> dict:
    """The request's body, checked by `serializer_class` (a 400 naming each field otherwise)."""
    incoming = serializer_class(data=request.data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


def _id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not 1 <= number <= MAX_ID:
        raise Http404
    return number


def _day(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: ["Give a date as YYYY-MM-DD."]}) from exc


class MeView(APIView):
    @extend_schema(responses=serializers.PersonSerializer, summary="Who the token or session belongs to")
    def get(self, request):
        person = request.user
        data = {
            "id": person.pk,
            "email": person.email,
            "full_name": person.full_name,
            "department": str(person.department) if person.department_id else None,
            "location": str(person.location) if person.location_id else None,
            "job_role": str(person.job_role) if person.job_role_id else None,
            "roles": sorted(person.groups.values_list("name", flat=True)),
        }
        return Response(serializers.PersonSerializer(data).data)


class LearningLogView(generics.ListAPIView):
    """The person's learning log: everything they took part in, newest first."""

    serializer_class = serializers.LogEntrySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="From this day on (organisation time)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Before this day (organisation time)."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        zone = timezone.get_current_timezone()
        start, end = _day(self.request, "start"), _day(self.request, "end")
        return learning_log_gather(
            person=self.request.user,
            start=datetime.combine(start, time.min, tzinfo=zone) if start else None,
            end=datetime.combine(end, time.min, tzinfo=zone) if end else None,
        )


class TemplateListView(generics.ListAPIView):
    """The guiding-question templates a new reflection may use."""

    serializer_class = serializers.TemplateSerializer
    pagination_class = None

    def get_queryset(self):
        return reflection_selectors.template_list_current().prefetch_related("questions")


def _own_reflection(person, pk) -> Reflection:
    reflection = (
        reflection_selectors.reflection_list_mine(person=person).prefetch_related("answers").filter(pk=_id(pk)).first()
    )
    if reflection is None:
        raise Http404
    return reflection


def _draft_save(*, reflection: Reflection, person, data: dict) -> None:
    answers = {a.question_id: a.text for a in reflection.answers.all()}
    answers.update({item["question"]: item["text"] for item in data.get("answers", [])})
    reflection_services.reflection_save_draft(
        reflection=reflection,
        by=person,
        title=data.get("title", reflection.title),
        key_takeaway=data.get("key_takeaway", reflection.key_takeaway),
        answers=answers,
        visibility=data.get("visibility"),
    )


class ReflectionListView(generics.ListAPIView):
    """My reflections, newest change first."""

    serializer_class = serializers.ReflectionSerializer

    def get_queryset(self):
        return reflection_selectors.reflection_list_mine(person=self.request.user).prefetch_related("answers")

    @extend_schema(
        request=serializers.ReflectionCreateSerializer,
        responses={201: serializers.ReflectionSerializer},
        summary="Start a reflection as a draft",
    )
    def post(self, request):
        data = _input(serializers.ReflectionCreateSerializer, request)
        template = reflection_selectors.template_list_current().filter(pk=data["template"]).first()
        if template is None:
            raise ValidationError({"template": ["Choose one of the current templates."]})
        with service_refusals(), transaction.atomic():
            reflection, _ = reflection_services.reflection_start(author=request.user, template=template)
            _draft_save(reflection=reflection, person=request.user, data=data)
        reflection = _own_reflection(request.user, reflection.pk)
        return Response(serializers.ReflectionSerializer(reflection).data, status=status.HTTP_201_CREATED)


def _reflection_answer(person, pk) -> Response:
    return Response(serializers.ReflectionSerializer(_own_reflection(person, pk)).data)


class ReflectionDetailView(APIView):
    @extend_schema(responses=serializers.ReflectionSerializer, summary="One of my reflections")
    def get(self, request, pk):
        return _reflection_answer(request.user, pk)

    @extend_schema(request=serializers.ReflectionDraftSerializer, responses=serializers.ReflectionSerializer)
    def patch(self, request, pk):
        """Change a draft (or one sent back for more depth)."""
        reflection = _own_reflection(request.user, pk)
        data = _input(serializers.ReflectionDraftSerializer, request)
        with service_refusals():
            _draft_save(reflection=reflection, person=request.user, data=data)
        return _reflection_answer(request.user, pk)


class ReflectionSubmitView(APIView):
    @extend_schema(
        request=serializers.ReflectionSubmitSerializer,
        responses=serializers.ReflectionSerializer,
        summary="Submit a reflection to my mentors (and colleagues, if shared with them)",
    )
    def post(self, request, pk):
        reflection = _own_reflection(request.user, pk)
        featured = _input(serializers.ReflectionSubmitSerializer, request)["may_be_featured"]
        with service_refusals():
            reflection_services.reflection_submit(reflection=reflection, by=request.user, may_be_featured=featured)
        return _reflection_answer(request.user, pk)


def _open_round():
    round = circle_selectors.round_open_get()
    if round is None:
        raise Http404("No circle round is open for sign-up now.")
    return round


def _round_data(round, person) -> dict:
    signup = circle_selectors.signup_get(round=round, person=person)
    return {
        "id": round.pk,
        "week_starts_on": round.week_starts_on,
        "signup_deadline": round.signup_deadline,
        "meets_at": round.meets_at,
        "topics": round.topics,
        "my_topic_ids": [choice.topic_id for choice in signup.choices.all()] if signup else [],
        "my_not_this_week": signup.not_this_week if signup else None,
    }


class CircleRoundView(APIView):
    @extend_schema(responses=serializers.RoundSerializer, summary="This week's open circle round and my sign-up")
    def get(self, request):
        return Response(serializers.RoundSerializer(_round_data(_open_round(), request.user)).data)


class CircleSignupView(APIView):
    @extend_schema(
        request=serializers.SignupSerializer,
        responses=serializers.RoundSerializer,
        summary="Sign up for this week's circles with ranked topics (or say not this week)",
    )
    def put(self, request):
        round = _open_round()
        data = _input(serializers.SignupSerializer, request)
        with service_refusals():
            circle_services.signup_save(
                round=round,
                person=request.user,
                topic_ids=data.get("topic_ids", []),
                not_this_week=data["not_this_week"],
            )
        return Response(serializers.RoundSerializer(_round_data(_open_round(), request.user)).data)


def _cafe_data(cafe: Cafe, rsvp: str | None) -> dict:
    return {
        "id": cafe.pk,
        "title": cafe.title,
        "theme": cafe.theme,
        "starts_at": cafe.starts_at,
        "ends_at": cafe.ends_at,
        "place": cafe.place,
        "state": cafe.state,
        "capacity": cafe.capacity,
        "my_rsvp": rsvp,
    }


def _my_rsvps(person, cafes) -> dict[int, str]:
    return dict(Rsvp.objects.filter(person=person, cafe__in=cafes).values_list("cafe_id", "status"))


class CafeListView(APIView):
    @extend_schema(responses=serializers.CafeSerializer(many=True), summary="Upcoming knowledge cafés")
    def get(self, request):
        cafes = list(cafe_selectors.cafe_upcoming(viewer=request.user)[:50])
        mine = _my_rsvps(request.user, cafes)
        return Response(serializers.CafeSerializer([_cafe_data(c, mine.get(c.pk)) for c in cafes], many=True).data)


class CafeRsvpView(APIView):
    @extend_schema(
        request=serializers.RsvpSerializer,
        responses=serializers.CafeSerializer,
        summary="Say I'm going (a seat or the waitlist) or no longer coming",
    )
    def put(self, request, pk):
        cafe = cafe_selectors.cafe_upcoming(viewer=request.user).filter(pk=_id(pk)).first()
        if cafe is None:
            raise Http404
        going = _input(serializers.RsvpSerializer, request)["going"]
        answer = cafe_services.rsvp_going if going else cafe_services.rsvp_cancel
        with service_refusals():
            rsvp = answer(cafe=cafe, person=request.user)
        return Response(serializers.CafeSerializer(_cafe_data(cafe, rsvp.status)).data)


def _may_read_reports(person) -> None:
    if not (roles.is_manager.test(person) or roles.is_officer.test(person)):
        raise PermissionDenied("Monthly reports are for managers and Advice Desk Officers.")


def _snapshot_data(snapshot) -> dict:
    return {
        "month": snapshot.month,
        "version": snapshot.version,
        "built_at": snapshot.built_at,
        # Headlines are whole-organisation totals, which every report reader sees.
        "headlines": impact_selectors.snapshot_headlines(snapshot=snapshot),
        "report_url": reverse("impact:report", kwargs={"month": f"{snapshot.month:%Y-%m}"}),
    }


class SnapshotListView(APIView):
    @extend_schema(responses=serializers.SnapshotSerializer(many=True), summary="Monthly impact snapshots")
    def get(self, request):
        _may_read_reports(request.user)
        snapshots = impact_selectors.snapshot_ready_list()[:24]
        return Response(serializers.SnapshotSerializer([_snapshot_data(s) for s in snapshots], many=True).data)


class SnapshotDetailView(APIView):
    @extend_schema(responses=serializers.SnapshotSerializer, summary="One month's snapshot (YYYY-MM)")
    def get(self, request, month):
        _may_read_reports(request.user)
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError as exc:
            raise Http404 from exc
        snapshot = impact_selectors.snapshot_get(month=first)
        if snapshot is None:
            raise Http404
        return Response(serializers.SnapshotSerializer(_snapshot_data(snapshot)).data)


class ApiDocsView(TemplateView):
    """The API reference, in the site's layout, for anyone (it holds no data, only the schema)."""

    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        info, operations = api_reference()
        return super().get_context_data(info=info, operations=operations, **kwargs)
