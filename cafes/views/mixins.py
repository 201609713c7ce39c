"""Permission handling shared by the cafés views."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from rules.contrib.views import PermissionRequiredMixin

from .. import selectors
from ..models import Cafe, TalkProposal


class PrivateObjectPermissionMixin(PermissionRequiredMixin):
    """A signed-in person without rights to the object gets 404: its existence is private too."""

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()


class CafeObjectMixin:
    """Loads the café named in the URL once per request."""

    def get_object(self, queryset=None):
        if not hasattr(self, "_cafe"):
            self._cafe = get_object_or_404(Cafe, pk=self.kwargs["pk"])
        return self._cafe


class CachedCafeObjectMixin(CafeObjectMixin):
    """For pages that only read the café: it comes from the cache (the pages that write one, and
    the services, read it from the database)."""

    def get_object(self, queryset=None):
        if not hasattr(self, "_cafe"):
            self._cafe = selectors.cafe_cached(pk=self.kwargs["pk"])
            if self._cafe is None:
                raise Http404
        return self._cafe


class TalkObjectMixin:
    """Loads the talk named in the URL once per request, with its speaker and café."""

    def get_object(self, queryset=None):
        if not hasattr(self, "_talk"):
            self._talk = get_object_or_404(TalkProposal.objects.select_related("speaker", "cafe"), pk=self.kwargs["pk"])
        return self._talk
