"""Pages of feedback sessions: one module per page family."""
