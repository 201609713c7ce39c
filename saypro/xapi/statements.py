"""xAPI 1.0.3 statements for the platform's learning events, built in one place (docs/xapi.md).

The person is an `account` on the portal (its home page and their numeric id), never an e-mail
address. Verbs come from ADL's vocabulary where one fits; the others are IRIs of this platform
under SITE_URL/xapi/verbs/, documented in docs/xapi.md. Each object is an activity whose IRI is
SITE_URL plus the object's canonical path; the module and its programme, when the event has
one, are the context's parent and grouping.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from saypro.core.learning_log import LogEntry

XAPI_VERSION = "1.0.3"
LANGUAGE = "en-GB"
ADL = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
VERB_VOIDED = f"{ADL}voided"


def site_iri(path: str) -> str:
    """An IRI of this platform: SITE_URL followed by `path`."""
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class Verb:
    slug: str
    display: str
    adl: bool  # an ADL verb; otherwise one of ours under SITE_URL/xapi/verbs/

    @property
    def iri(self) -> str:
        return f"{ADL}{self.slug}" if self.adl else site_iri(f"/xapi/verbs/{self.slug}")


@dataclass(frozen=True)
class Event:
    verb: Verb
    activity_type: str  # a path under ADL's activity types ("meeting") or ours ("/xapi/activity-types/…")
    meaning: str

    @property
    def activity_type_iri(self) -> str:
        if self.activity_type.startswith("/"):
            return site_iri(self.activity_type)
        return f"{ADL_ACTIVITIES}{self.activity_type}"


SUBMITTED = Verb("submitted", "submitted", adl=False)
PASSED = Verb("passed", "passed", adl=True)
COMMENTED = Verb("commented", "commented", adl=True)
PLANNED = Verb("planned-to-try", "planned to try", adl=False)
TRIED = Verb("tried", "tried", adl=False)
SHARED = Verb("shared", "shared", adl=True)
ATTENDED = Verb("attended", "attended", adl=True)
PRESENTED = Verb("presented", "presented", adl=False)
REFLECTION = "/xapi/activity-types/reflection"

# Every learning event that becomes a statement, by the name services record it under.
EVENTS: dict[str, Event] = {
    "reflection_submitted": Event(SUBMITTED, REFLECTION, "submitted a reflection to their mentors"),
    "reflection_validated": Event(PASSED, REFLECTION, "a mentor validated the person's reflection"),
    "board_comment": Event(COMMENTED, REFLECTION, "commented on a reflection on the learning board"),
    "will_try": Event(PLANNED, REFLECTION, "said “I'll try this” of a reflection on the board"),
    "tried": Event(TRIED, REFLECTION, "said “I tried it” of a reflection on the board"),
    "contribution": Event(SHARED, "/xapi/activity-types/contribution", "contributed to a feedback session"),
    "session_attended": Event(ATTENDED, "meeting", "attended a held feedback session"),
    "circle_attended": Event(ATTENDED, "meeting", "attended a peer sharing circle"),
    "learning_shared": Event(SHARED, "/xapi/activity-types/circle-learning", "recorded a circle's learning"),
    "talk_given": Event(PRESENTED, "/xapi/activity-types/lightning-talk", "gave a talk at a knowledge café"),
    "cafe_attended": Event(ATTENDED, "meeting", "attended a knowledge café"),
}

# Learning log entries (kind, verb) that are one of the events above, so the log's xAPI file
# and the LRS carry the same statement ids for the same event.
LOG_EVENTS = {
    ("reflection", "http://adlnet.gov/expapi/verbs/submitted"): "reflection_submitted",
    ("mentor_feedback", "http://adlnet.gov/expapi/verbs/passed"): "reflection_validated",
    ("practice", "http://adlnet.gov/expapi/verbs/completed"): "tried",
    ("feedback_session", "http://adlnet.gov/expapi/verbs/attended"): "session_attended",
    ("contribution", "http://adlnet.gov/expapi/verbs/shared"): "contribution",
    ("circle", "http://adlnet.gov/expapi/verbs/attended"): "circle_attended",
    ("circle", "http://adlnet.gov/expapi/verbs/shared"): "learning_shared",
    ("talk", "http://adlnet.gov/expapi/verbs/presented"): "talk_given",
    ("cafe", "http://adlnet.gov/expapi/verbs/attended"): "cafe_attended",
}


def statement_id_for(*, event: str, key: str, actor_id: int | None) -> uuid.UUID:
    """The statement's id: the same event on the same object by the same person always gives the same id."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, site_iri("/xapi/statements"))
    return uuid.uuid5(namespace, f"{event}|{key}|{actor_id}")


def agent(person_id: int | str) -> dict:
    """A person as an xAPI agent: an account on the portal, named by id (no name, no e-mail address)."""
    return {"objectType": "Agent", "account": {"homePage": settings.SITE_URL, "name": str(person_id)}}


PLATFORM_AGENT_NAME = "platform"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def module_context(module) -> dict | None:
    """The module as the context's parent and its programme as the grouping (None without a module)."""
    if module is None:
        return None
    programme = module.programme
    return {
        "contextActivities": {
            "parent": [
                {
                    "objectType": "Activity",
                    "id": site_iri(f"/xapi/activities/module/{module.pk}"),
                    "definition": {"name": {LANGUAGE: module.title}, "type": f"{ADL_ACTIVITIES}module"},
                }
            ],
            "grouping": [
                {
                    "objectType": "Activity",
                    "id": site_iri(f"/xapi/activities/programme/{programme.pk}"),
                    "definition": {"name": {LANGUAGE: programme.title}, "type": f"{ADL_ACTIVITIES}course"},
                }
            ],
        },
        "platform": "SayPro Share Learnings",
        "language": LANGUAGE,
    }


def statement_build(
    *,
    event: str,
    key: str,
    actor_id: int,
    path: str,
    name: str,
    when: datetime,
    module=None,
    result: dict | None = None,
    verb: Verb | None = None,
    activity_type: str | None = None,
) -> dict:
    """One learning event as an xAPI 1.0.3 statement.

    `key` names the event's own record ("reflections.comment:12") and, with the event and the
    person, fixes the statement id. `path` is the canonical path of the object the person acted
    on; `when` is when the event happened.
    """
    known = EVENTS.get(event)
    verb = verb or (known.verb if known else None)
    if verb is None:
        raise ValueError(f"Unknown learning event {event!r} and no verb given.")
    definition: dict = {"name": {LANGUAGE: name[:500]}}
    type_iri = activity_type or (known.activity_type_iri if known else None)
    if type_iri:
        definition["type"] = type_iri
    statement: dict = {
        "id": str(statement_id_for(event=event, key=key, actor_id=actor_id)),
        "actor": agent(actor_id),
        "verb": {"id": verb.iri, "display": {LANGUAGE: verb.display}},
        "object": {"objectType": "Activity", "id": site_iri(path), "definition": definition},
        "timestamp": _timestamp(when),
        "version": XAPI_VERSION,
    }
    context = module_context(module)
    if context is not None:
        statement["context"] = context
    if result is not None:
        statement["result"] = result
    return statement


def voiding_statement_build(*, statement_id: uuid.UUID | str, when: datetime) -> dict:
    """A statement voiding `statement_id`, made by the platform itself (it carries nothing about the person)."""
    return {
        "id": str(statement_id_for(event="voided", key=str(statement_id), actor_id=None)),
        "actor": agent(PLATFORM_AGENT_NAME),
        "verb": {"id": VERB_VOIDED, "display": {LANGUAGE: "voided"}},
        "object": {"objectType": "StatementRef", "id": str(statement_id)},
        "timestamp": _timestamp(when),
        "version": XAPI_VERSION,
    }


def log_entry_statement(*, person_id: int, entry: LogEntry) -> dict:
    """A learning log entry as a statement, for the log's xAPI download.

    An entry that is one of the recorded events gets that event's verb and statement id, so
    the file and the LRS agree; other entries (a draft, more depth asked) keep the log's verb.
    """
    event = LOG_EVENTS.get((entry.kind, entry.verb))
    verb = None
    if event is None:
        slug = entry.verb.rstrip("/").rsplit("/", 1)[-1]
        event = f"log_{entry.kind}_{slug}"
        verb = Verb(slug, slug, adl=entry.verb.startswith(ADL))
    statement = statement_build(
        event=event,
        key=entry.object_id,
        actor_id=person_id,
        path=entry.url or f"/xapi/activities/{entry.object_id}",
        name=entry.title,
        when=entry.when,
        verb=verb,
    )
    if entry.detail:
        statement["object"]["definition"]["description"] = {LANGUAGE: entry.detail[:2000]}
    return statement
