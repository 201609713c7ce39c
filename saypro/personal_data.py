"""The apps that hold personal data, for "export and delete my data" (DESIGN.md, the employee's rights).

Lives in the project package (like saypro/navigation.py) because it names every activity app;
saypro.core.personal_data reads it by name, so core imports no app.

Each provider is a module `<app>.personal_data` with

- `export(*, person) -> dict`: everything the app holds about or by the person, as plain
  JSON-able values, and nothing of anyone else;
- `erase(*, person) -> dict`: what it deleted, detached or cancelled, as counts; runs inside
  the caller's transaction, before the person's name and address are replaced;
- `ERASE_EXPLAINED`: plain sentences saying what erasing does in that app, shown to the person
  before they confirm.

An app whose module does not exist (yet) is skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

# (section name in the export, provider module), in the order the export lists them.
PERSONAL_DATA_PROVIDERS = [
    ("reflections", "reflections.personal_data"),
    ("feedback", "feedback.personal_data"),
    ("circles", "circles.personal_data"),
    ("cafes", "cafes.personal_data"),
    ("api", "saypro.api.personal_data"),
    ("xapi", "saypro.xapi.personal_data"),
]


def personal_data_providers() -> list[tuple[str, ModuleType]]:
    """The provider modules that exist, with their section names."""
    found = []
    for section, dotted in PERSONAL_DATA_PROVIDERS:
        app = dotted.rsplit(".", 1)[0]
        if importlib.util.find_spec(app) is None or importlib.util.find_spec(dotted) is None:
            continue
        found.append((section, importlib.import_module(dotted)))
    return found
