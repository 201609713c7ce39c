"""Print the demo sign-ins, one per role."""

from django.core.management.base import BaseCommand

from saypro.core.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins (one per role)."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for role, email in DEMO_LOGINS:
            self.stdout.write(f"  {role:<22} {email}")
