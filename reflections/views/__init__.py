"""Views of the reflections app, one module per page family."""
