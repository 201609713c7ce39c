"""The site navigation: one entry per page family, shown to the roles that may use it.

Lives in the project package (not in core) because it names every app's pages.
"""

import rules

from saypro.core import roles
from saypro.core.company_signin import is_configured as company_signin_configured

# (label, url name, predicate deciding who sees it). Entries whose URL does not exist yet
# are skipped, so an app adds its line when its pages land.
MAIN_NAVIGATION = [
    ("Home", "core:home", roles.is_employee),
    ("Reflections", "reflections:mine", roles.is_employee),
    ("Learning board", "reflections:board", roles.is_employee),
    ("Feedback sessions", "feedback:session-list", roles.is_employee),
    ("Circles", "circles:mine", roles.is_employee),
    ("Cafés", "cafes:cafe-list", roles.is_employee),
    ("Mentor queue", "reflections:mentor-queue", roles.is_mentor),
    ("Impact", "impact:report-latest", roles.is_manager | roles.is_officer),
    ("Dashboard", "core:dashboard", roles.is_officer),
]


@rules.predicate
def uses_company_signin() -> bool:
    return company_signin_configured()


# The account menu (top right), for every signed-in person; the same form as MAIN_NAVIGATION.
ACCOUNT_NAVIGATION = [
    ("Change password", "account_change_password", rules.always_allow),
    ("E-mail address", "account_email", rules.always_allow),
    ("Two-factor authentication", "mfa_index", rules.always_allow),
    ("Company sign-in", "socialaccount_connections", uses_company_signin),
    ("Notification preferences", "core:notification-preferences", rules.always_allow),
    ("Calendar subscription", "core:calendar-subscription", rules.always_allow),
    ("API tokens", "api:tokens", rules.always_allow),
    ("Your data", "core:personal-data", rules.always_allow),
]
