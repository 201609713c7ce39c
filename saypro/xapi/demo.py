"""Demo statements: the seeded activity (written without the services) gets its learning records.

No LRS is configured in the demo, so they wait in the outbox, where the officer's job health
shows them; pointing XAPI_LRS_ENDPOINT at an LRS sends them.
"""

from __future__ import annotations

from .services import statements_backfill


def seed(*, org) -> None:
    for person in org.people:
        statements_backfill(person=person)
