"""Who reads the impact report: managers (within their scope) and officers."""

import rules

from saypro.core.roles import is_manager, is_officer

rules.add_perm("impact.view_report", is_manager | is_officer)
rules.add_perm("impact.rebuild_snapshot", is_officer)
