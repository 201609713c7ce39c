"""The learning log's shared helpers."""

import pytest
from django.urls import reverse

from saypro.core.learning_log import pk_url


@pytest.mark.parametrize(
    "name", ["reflections:detail", "feedback:session-detail", "circles:circle-detail", "cafes:cafe-detail"]
)
@pytest.mark.parametrize("pk", [1, 7, 4321])
def test_pk_url_is_what_reverse_gives(name, pk):
    assert pk_url(name)(pk) == reverse(name, kwargs={"pk": pk})
