"""Permissions of the shared core, as django-rules predicates."""

import rules

from .roles import is_officer

rules.add_perm("core.officer_dashboard", is_officer)
rules.add_perm("core.org_import", is_officer)
rules.add_perm("core.audit_browse", is_officer)
rules.add_perm("core.email_resend", is_officer)
