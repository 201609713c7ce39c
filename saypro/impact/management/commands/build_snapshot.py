"""Build (or rebuild) the monthly impact snapshot by hand, printing progress."""

from django.core.management.base import BaseCommand, CommandError

from saypro.impact.months import parse_month
from saypro.impact.selectors import report_get
from saypro.impact.services import snapshot_build


class Command(BaseCommand):
    help = "Build the impact snapshot of a month (YYYY-MM). Without --rebuild an existing snapshot is kept."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month, as YYYY-MM.")
        parser.add_argument("--rebuild", action="store_true", help="Store a new version even if one exists.")
        parser.add_argument("--reason", default="", help="Why the rebuild is needed (required with --rebuild).")

    def handle(self, *args, month: str, rebuild: bool, reason: str, **options):
        try:
            target = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if rebuild and not reason:
            reason = "Rebuilt from the command line"

        def progress(percent: int, step: str) -> None:
            self.stdout.write(f"[{percent:3d}%] {step}")

        snapshot, built = snapshot_build(month=target, rebuild=rebuild, reason=reason, progress=progress)
        if not built:
            self.stdout.write(f"{snapshot} already exists; nothing changed (use --rebuild for a new version).")
            return
        for line in report_get(snapshot=snapshot).headlines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Built {snapshot}."))
