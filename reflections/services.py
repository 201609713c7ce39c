"""Writes of the reflections app."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from saypro.core.models import User
from saypro.core.services import notify

# What a reflection can be about; each kind has its own guiding-question template.
CONTEXT_KINDS = ("feedback_session", "circle", "cafe", "module", "general")


def reflection_invite(*, person: User, context: models.Model | None, kind: str, title: str) -> bool:
    """Invite a person to write a reflection about an activity they took part in.

    Called by the feedback, circles and cafés apps after a session, circle meeting or café.
    Sends an in-app notification and an e-mail with a link that opens the writing page with
    the template for `kind`, linked to `context`. At most once per person and context.
    """
    if kind not in CONTEXT_KINDS:
        raise ValueError(f"Unknown reflection context kind: {kind}")
    query = {"kind": kind}
    key = f"reflection-invite:{kind}"
    if context is not None:
        ct = ContentType.objects.get_for_model(context)
        query["context"] = f"{ct.app_label}.{ct.model}:{context.pk}"
        key = f"reflection-invite:{query['context']}"
    url = f"{reverse('reflections:write')}?{urlencode(query)}"
    return notify(
        recipient=person,
        kind="reflection_prompt",
        key=key,
        title=f"Write a reflection: {title}",
        body="A few minutes now turns what you heard into something you keep. The guiding questions are ready.",
        url=url,
        email_template="email/notification",
    )
