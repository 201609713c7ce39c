"""Create a believable demo organisation, with every activity holding data."""

import importlib.util

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from saypro.core import fragments
from saypro.core.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_core

# Each activity app's seeder: `<app>/demo.py` with `seed(*, org: DemoOrg) -> None`, idempotent.
# An app whose demo module does not exist yet is skipped.
APP_SEEDERS = [
    "reflections.demo.seed",
    "feedback.demo.seed",
    "circles.demo.seed",
    "cafes.demo.seed",
    "saypro.impact.demo.seed",
    "saypro.xapi.demo.seed",
]


class Command(BaseCommand):
    help = "Load demo data (deterministic for a seed; safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, people: int, seed: int, **options):
        with transaction.atomic():
            org = seed_core(people=people, seed=seed)
            self.stdout.write(f"Organisation: {len(org.people)} people, {len(org.modules)} modules.")
            for dotted in APP_SEEDERS:
                if importlib.util.find_spec(dotted.rsplit(".", 1)[0]) is None:
                    continue
                import_string(dotted)(org=org)
                self.stdout.write(f"Seeded {dotted.split('.')[0]}.")
            fragments.changed("home_panels")  # the seeders write in bulk, without signals
            fragments.changed("learning_log")
            fragments.changed("reflection-page")
            fragments.changed("console")
            fragments.changed("mentor_queue")
            fragments.changed("attendance")  # the feedback console's list and counts
            fragments.changed("participation")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Password for every demo login: {DEMO_PASSWORD}"))
        for role, email in DEMO_LOGINS:
            self.stdout.write(f"  {role:<22} {email}")
