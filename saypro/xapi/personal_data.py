"""A person's xAPI statements, for "export and delete my data" (see saypro/personal_data.py).

Export: every statement about the person, as sent (or to be sent) to the Learning Record
Store, with when it was accepted there. Erase: statements not sent yet are deleted; sent ones
are voided at the LRS (a voiding statement is queued for each) and the outbox keeps only
their ids.
"""

from __future__ import annotations

from saypro.core.models import User
from saypro.core.personal_data import jsonable

from .selectors import statement_list_of
from .services import statements_void_for

SECTION_TITLE = "Learning Record Store"
ERASE_EXPLAINED = [
    "Your learning records not yet sent to the eLearning portal's Learning Record Store are deleted.",
    "Those already sent are voided there: the portal is told to disregard them.",
]


def export(*, person: User) -> dict:
    return {
        "xapi_statements": [
            {
                "event": row.event,
                "statement": row.payload,
                "recorded_at": jsonable(row.created_at),
                "accepted_by_lrs_at": jsonable(row.sent_at),
            }
            for row in statement_list_of(person=person)
        ]
    }


def erase(*, person: User) -> dict:
    return statements_void_for(person=person)
