"""The hourly grouping through a real worker and Redis: queued twice, it groups each challenge once.

The test worker runs one task at a time (--pool=solo), so this proves the job is safe to run
twice, not the row lock that keeps two simultaneous runs apart.
"""

import re

import pytest

from feedback.models import ChallengeTheme, ChallengeThemeMember
from tests.factories import UserFactory

from .conftest import DELEGATION, FEEDBACK, raise_challenge

pytestmark = pytest.mark.integration


def test_update_job_queued_twice_through_the_worker_groups_each_challenge_once(live_worker, session):
    from feedback.tasks import challenge_themes_update_task

    for text in DELEGATION + FEEDBACK:
        raise_challenge(session, text, author=UserFactory())

    challenge_themes_update_task.delay()
    challenge_themes_update_task.delay()

    live_worker.wait_for(
        lambda: live_worker.log().count("feedback.challenge_themes_update_task") >= 4,
        timeout=90,
        what="both update jobs to finish",
    )
    # Both succeeded; the first grouped every challenge, the second found none left.
    grouped = re.findall(r"challenge_themes_update_task\[[^\]]+\] succeeded in [^:]+: (\d+)", live_worker.log())
    assert sorted(int(n) for n in grouped) == [0, 5]
    assert ChallengeThemeMember.objects.count() == 5
    assert sorted(ChallengeTheme.objects.values_list("name", flat=True)) == [
        "Delegating tasks feels slower than doing the tasks myself",
        "Giving difficult feedback to a senior colleague makes me…",
    ]


def test_four_updates_of_one_module_at_once_group_each_challenge_once(
    transactional_db, django_db_serialized_rollback, session
):
    import threading

    from django.db import connection

    from feedback.heard.services import challenge_themes_update

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    for text in DELEGATION + FEEDBACK:
        raise_challenge(session, text, author=UserFactory())
    results, errors = [], []
    barrier = threading.Barrier(4)

    def update():
        try:
            barrier.wait()
            results.append(challenge_themes_update(module=session.module))
        except Exception as exc:  # noqa: BLE001 -- collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=update) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The module's row is held while one update groups: the others wait, then find nothing new.
    assert (errors, sorted(results)) == ([], [0, 0, 0, 5])
    assert ChallengeTheme.objects.count() == 2
