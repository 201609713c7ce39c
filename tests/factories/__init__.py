"""factory_boy factories shared by every app's tests."""

from .core import (
    DepartmentFactory,
    EnrolmentFactory,
    JobRoleFactory,
    LocationFactory,
    MentorLinkFactory,
    ModuleFactory,
    ProgrammeFactory,
    UserFactory,
)

__all__ = [
    "DepartmentFactory",
    "EnrolmentFactory",
    "JobRoleFactory",
    "LocationFactory",
    "MentorLinkFactory",
    "ModuleFactory",
    "ProgrammeFactory",
    "UserFactory",
]
