"""The site navigation: one entry per page family, shown to the roles that may use it.

Lives in the project package (not in core) because it names every app's pages.
"""

from saypro.core import roles

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
