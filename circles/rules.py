"""Who may do what with circles, as django-rules predicates that read like sentences."""

import rules

from saypro.core.roles import is_employee, is_officer

from .models import Membership


@rules.predicate
def is_circle_member(user, circle) -> bool:
    """A member of a published circle (including one who left it, who may still look back)."""
    if circle is None or not user.is_authenticated:
        return False
    return circle.round.state == "published" and Membership.objects.filter(circle=circle, person=user).exists()


@rules.predicate
def is_active_circle_member(user, circle) -> bool:
    if circle is None or not user.is_authenticated:
        return False
    return (
        circle.round.state == "published"
        and Membership.objects.filter(circle=circle, person=user, left_at__isnull=True).exists()
    )


@rules.predicate
def is_circle_host(user, circle) -> bool:
    return (
        circle is not None and user.is_authenticated and circle.round.state == "published" and circle.host_id == user.pk
    )


rules.add_perm("circles.take_part", is_employee)
rules.add_perm("circles.see_circle", is_circle_member | is_officer)
rules.add_perm("circles.share_learning", is_active_circle_member)
rules.add_perm("circles.leave_circle", is_active_circle_member)
rules.add_perm("circles.record_attendance", is_circle_host | is_officer)
rules.add_perm("circles.run_rounds", is_officer)
