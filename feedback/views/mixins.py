"""Loading the object a page is about, with the privacy rule: no right to see it means 404."""

from __future__ import annotations

from django.http import Http404
from rules.contrib.views import PermissionRequiredMixin

from feedback import selectors


class SessionObjectMixin(PermissionRequiredMixin):
    """The session in the URL, if the signed-in person may see it; anonymous people go to sign in."""

    _session = None

    def get_session(self):
        if self._session is None and self.request.user.is_authenticated:
            self._session = selectors.session_get(person=self.request.user, pk=self.kwargs["pk"])
            if self._session is None:
                raise Http404("No such feedback session.")
        return self._session

    def get_permission_object(self):
        return self.get_session()


class ContributionObjectMixin(PermissionRequiredMixin):
    """The contribution in the URL, if it belongs to a session the person may see."""

    _contribution = None

    def get_contribution(self):
        if self._contribution is None and self.request.user.is_authenticated:
            self._contribution = selectors.contribution_get(person=self.request.user, pk=self.kwargs["pk"])
            if self._contribution is None:
                raise Http404("No such contribution.")
        return self._contribution

    def get_permission_object(self):
        return self.get_contribution()
