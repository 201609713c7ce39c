"""A person's API tokens, for "export and delete my data" (see saypro/personal_data.py).

Export: each token's name, scopes and dates (never its secret, which is not stored). Erase:
every token is deleted, so no script keeps acting for the erased person.
"""

from __future__ import annotations

from saypro.core.models import User
from saypro.core.personal_data import jsonable

from .models import PersonalAccessToken


def export(*, person: User) -> dict:
    tokens = PersonalAccessToken.objects.filter(person=person).order_by("created_at", "pk")
    return {
        "access_tokens": [
            {
                "name": token.name,
                "scopes": token.scopes,
                "created_at": jsonable(token.created_at),
                "expires_at": jsonable(token.expires_at),
                "last_used_at": jsonable(token.last_used_at),
                "revoked_at": jsonable(token.revoked_at),
            }
            for token in tokens
        ]
    }


def erase(*, person: User) -> dict:
    return {"access_tokens_deleted": PersonalAccessToken.objects.filter(person=person).delete()[0]}
