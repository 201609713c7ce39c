import datetime as dt
import time

import factory
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.utils import timezone

from saypro.core import models, roles

PASSWORD = "correct-horse-battery"
# The authenticator app every officer, staff member and superuser of the tests has set up.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (or at `at`), computed as RFC 6238 says."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Location {n}")


class JobRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.JobRole
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Role {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a department, location and job role, and a placement saying so."""

    class Meta:
        model = models.User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    department = factory.SubFactory(DepartmentFactory)
    location = factory.SubFactory(LocationFactory)
    job_role = factory.SubFactory(JobRoleFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def placement(self, create, extracted, **kwargs):
        if create:
            models.Placement.objects.create(
                person=self,
                department=self.department,
                location=self.location,
                job_role=self.job_role,
                valid_from=extracted or timezone.now() - dt.timedelta(days=365 * 3),
            )

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """An authenticator app (secret TOTP_SECRET) for whoever must have one; `second_factor=False` for none."""
        if not create or extracted is False:
            return
        if extracted or self.is_staff or self.is_superuser or self.groups.filter(name=roles.OFFICER).exists():
            TOTP.activate(self, TOTP_SECRET)


class MentorLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MentorLink

    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Programme

    title = factory.Sequence(lambda n: f"Programme {n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Module

    programme = factory.SubFactory(ProgrammeFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Module {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))
    is_major = True


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Enrolment

    person = factory.SubFactory(UserFactory)
    module = factory.SubFactory(ModuleFactory)
