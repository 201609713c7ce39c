"""Demo data for the shared core: a believable organisation with a leadership programme.

Deterministic for a seed and safe to run twice: people are upserted by e-mail, everything
else by its natural name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from . import roles
from .models import Department, Enrolment, JobRole, Location, ManagerScope, MentorLink, Module, Programme, User
from .services import person_place

DEMO_PASSWORD = "learn-together-2026"
DEMO_LOGINS = [
    ("Employee", "employee@saypro.demo"),
    ("Mentor", "mentor@saypro.demo"),
    ("Advice Desk Officer", "officer@saypro.demo"),
    ("Manager", "manager@saypro.demo"),
]
DEPARTMENTS = ["Operations", "Finance", "HR", "IT", "Sales", "Community Development"]
LOCATIONS = ["Johannesburg", "Cape Town", "Durban", "Pretoria"]
JOB_ROLES = ["Analyst", "Coordinator", "Specialist", "Team Lead", "Officer", "Manager"]
FIRST_NAMES = [
    "Thandi",
    "Sipho",
    "Lerato",
    "Johan",
    "Aisha",
    "Pieter",
    "Nomsa",
    "Kagiso",
    "Zoë",
    "Ravi",
    "Naledi",
    "Marius",
    "Ayanda",
    "Fatima",
    "Bongani",
    "Chantel",
    "Lindiwe",
    "Tshepo",
    "Megan",
    "Andile",
    "Precious",
    "Sibusiso",
    "Karabo",
    "Yusuf",
    "Refilwe",
    "Hendrik",
    "Palesa",
    "Mandla",
    "Priya",
    "Lwazi",
]
LAST_NAMES = [
    "Mokoena",
    "Dlamini",
    "Nkosi",
    "van der Merwe",
    "Naidoo",
    "Botha",
    "Khumalo",
    "Mahlangu",
    "Ndlovu-Müller",
    "Pillay",
    "Molefe",
    "Pretorius",
    "Zulu",
    "Patel",
    "Mthembu",
    "Jacobs",
    "Sithole",
    "Maseko",
    "Smith",
    "Ngcobo",
]
MODULES = [
    ("Self-awareness and purpose", False),
    ("Leading yourself", True),
    ("Giving and receiving feedback", False),
    ("Delegation that develops people", True),
    ("Conflict as a resource", False),
    ("Coaching conversations", True),
]


@dataclass
class DemoOrg:
    """What the core seed made, handed to each app's seeder."""

    rng: random.Random
    people: list[User]
    employee: User
    mentor: User
    officer: User
    manager: User
    modules: list[Module]
    departments: list[Department] = field(default_factory=list)


def _person(email: str, first: str, last: str, dept, loc, role, since) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
        user.date_joined = since
        user.save(update_fields=["date_joined"])
        person_place(person=user, department=dept, location=loc, job_role=role, at=since)
    return user


def seed_core(*, people: int, seed: int) -> DemoOrg:
    rng = random.Random(seed)
    now = timezone.now()
    since = now - timedelta(days=400)
    departments = [Department.objects.get_or_create(name=n)[0] for n in DEPARTMENTS]
    locations = [Location.objects.get_or_create(name=n)[0] for n in LOCATIONS]
    job_roles = [JobRole.objects.get_or_create(name=n)[0] for n in JOB_ROLES]

    employee = _person("employee@saypro.demo", "Thandi", "Mokoena", departments[0], locations[0], job_roles[0], since)
    mentor = _person("mentor@saypro.demo", "Johan", "Botha", departments[1], locations[1], job_roles[3], since)
    officer = _person("officer@saypro.demo", "Nomsa", "Khumalo", departments[2], locations[0], job_roles[4], since)
    manager = _person("manager@saypro.demo", "Ravi", "Naidoo", departments[4], locations[3], job_roles[5], since)
    officer.groups.add(Group.objects.get(name=roles.OFFICER))
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    mentor.groups.add(Group.objects.get(name=roles.MENTOR))
    manager.groups.add(Group.objects.get(name=roles.MANAGER))
    ManagerScope.objects.get_or_create(manager=manager, department=None)

    crowd = []
    for i in range(people):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        slug = f"{first}.{last}".lower().replace(" ", "").replace("ë", "e").replace("ü", "u")
        crowd.append(
            _person(
                f"{slug}.{i + 1}@saypro.demo",
                first,
                last,
                departments[i % len(departments)],
                rng.choice(locations),
                rng.choice(job_roles[:5]),
                since,
            )
        )
    everyone = [employee, mentor, officer, manager, *crowd]
    employee_group = Group.objects.get(name=roles.EMPLOYEE)
    employee_group.user_set.add(*everyone)

    for mentee in [employee, *crowd[: max(1, len(crowd) // 3)]]:
        MentorLink.objects.get_or_create(mentor=mentor, mentee=mentee)

    programme, _ = Programme.objects.get_or_create(
        title="Leadership Foundations",
        defaults={
            "description": "Six modules on leading self and others, each major one closed by a feedback session."
        },
    )
    today = timezone.localdate()
    first_start = today - timedelta(days=150)
    modules = []
    for position, (title, is_major) in enumerate(MODULES, start=1):
        starts = first_start + timedelta(days=28 * (position - 1))
        module, _ = Module.objects.get_or_create(
            programme=programme,
            position=position,
            defaults={
                "title": title,
                "is_major": is_major,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=21),
            },
        )
        modules.append(module)
        Enrolment.objects.bulk_create(
            [Enrolment(person=p, module=module, enrolled_at=now - timedelta(days=160)) for p in everyone[:3] + crowd],
            ignore_conflicts=True,
        )
    return DemoOrg(
        rng=rng,
        people=everyone,
        employee=employee,
        mentor=mentor,
        officer=officer,
        manager=manager,
        modules=modules,
        departments=departments,
    )
