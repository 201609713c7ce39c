"""The site's authentication backends: Django's and allauth's, taking the signed-in person from the cache.

Every signed-in request loads its person. These backends read them from the person's cache entry
(person_cache.signed_in_person), in the same round trip as their roles and unread count, instead
of one query per request; signing in, passwords and permissions are the parents' own.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends

from .person_cache import signed_in_person


class CachedPersonMixin:
    def get_user(self, user_id):
        person = signed_in_person(pk=user_id, load=super().get_user)
        # An entry written while the person was active says nothing of now: ask again, as the parent does.
        return person if person is not None and self.user_can_authenticate(person) else None


class ModelBackend(CachedPersonMixin, django_backends.ModelBackend):
    pass


class AuthenticationBackend(CachedPersonMixin, allauth_backends.AuthenticationBackend):
    pass
