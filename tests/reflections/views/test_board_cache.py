"""The cached learning board is never staler than the last write to a reflection, comment or adoption."""

import pytest
from django.urls import reverse

from reflections import services
from tests.factories.reflections import CommentFactory, ReflectionFactory

pytestmark = pytest.mark.django_db


def _board(client) -> str:
    return client.get(reverse("reflections:board")).content.decode()


def test_board_shows_a_newly_shared_reflection_at_once(client_for, employee, template):
    client = client_for(employee)
    ReflectionFactory(template=template, title="First lesson", state="validated", visibility="colleagues")
    assert "First lesson" in _board(client)

    ReflectionFactory(template=template, title="Second lesson", state="validated", visibility="colleagues")

    html = _board(client)
    assert "First lesson" in html and "Second lesson" in html


def test_board_counts_a_new_comment_at_once(client_for, employee, template):
    client = client_for(employee)
    reflection = ReflectionFactory(template=template, state="validated", visibility="colleagues")
    assert '💬</span> 0<span class="visually-hidden"> comments</span> ·' in _board(client)

    CommentFactory(reflection=reflection)

    assert '💬</span> 1<span class="visually-hidden"> comment</span> ·' in _board(client)


def test_board_drops_a_hidden_reflection_at_once(client_for, employee, officer, template):
    client = client_for(employee)
    reflection = ReflectionFactory(template=template, title="Rule breaker", state="validated", visibility="colleagues")
    assert "Rule breaker" in _board(client)

    services.reflection_hide(reflection=reflection, by=officer, reason="Names a client")

    assert "Rule breaker" not in _board(client)


def test_board_caches_each_filter_apart(client_for, employee, template):
    client = client_for(employee)
    ReflectionFactory(template=template, title="Kept lesson", state="validated", visibility="colleagues")
    assert "Kept lesson" in _board(client)

    html = client.get(reverse("reflections:board"), {"q": "nothing like it"}).content.decode()

    assert "Kept lesson" not in html
    assert "0 reflections match" in html
