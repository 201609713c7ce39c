"""The org chart import: HR's CSV file, checked row by row, then written whole or not at all.

One service behind the `import_org` command and the officer's upload page:

- `org_import_parse` reads the bytes and checks every row on its own (no database).
- `org_import_apply` adds the checks that need the database (a mentor who is nobody, a
  manager scoped to a department nobody is in), works out every change, and writes them in
  one transaction. Any bad row refuses the whole file: the report lists every problem as
  (row, column, reason), rows numbered as a spreadsheet shows them (the header is row 1).
- `org_import_queue` / `org_import_run` are the upload page's side: an `OrgImport` row holds
  the file, its progress and its report while a worker (or the request, for a small file)
  runs it.

The file is authoritative for the people it names: their names, placement, roles (the
Employee group always, plus officer / mentor / manager), mentors and manager scopes. People
the file does not name are left as they are.
"""

from .applying import PROGRESS_EVERY, ImportSummary, org_import_apply
from .parsing import COLUMNS, ImportRow, ParsedImport, RowError, org_import_parse
from .uploads import SYNC_ROW_LIMIT, org_import_queue, org_import_retry, org_import_run, org_import_sweep

__all__ = [
    "COLUMNS",
    "PROGRESS_EVERY",
    "SYNC_ROW_LIMIT",
    "ImportRow",
    "ImportSummary",
    "ParsedImport",
    "RowError",
    "org_import_apply",
    "org_import_parse",
    "org_import_queue",
    "org_import_retry",
    "org_import_run",
    "org_import_sweep",
]
