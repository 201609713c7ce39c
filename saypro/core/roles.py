"""The four roles of the design, as Django group names, and the predicates that test them."""

import rules

EMPLOYEE = "Employee"
OFFICER = "Advice Desk Officer"
MENTOR = "Mentor"
MANAGER = "Manager"
ALL_GROUPS = (EMPLOYEE, OFFICER, MENTOR, MANAGER)

# The import's `roles` column uses these short words.
IMPORT_ROLE_GROUPS = {"officer": OFFICER, "mentor": MENTOR, "manager": MANAGER}


@rules.predicate
def is_officer(user) -> bool:
    """An Advice Desk Officer (or a superuser, who may do anything)."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_group(OFFICER)))


@rules.predicate
def is_mentor(user) -> bool:
    return bool(user and user.is_authenticated and user.has_group(MENTOR))


@rules.predicate
def is_manager(user) -> bool:
    return bool(user and user.is_authenticated and user.has_group(MANAGER))


is_employee = rules.is_authenticated & rules.is_active
