"""Views of the cafés app: cafés and their agenda, talk proposals, and feedback to speakers."""
