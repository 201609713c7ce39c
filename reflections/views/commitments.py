"""The one-click answers of a commitment's nudge: a signed link shows the answer, a POST saves it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from reflections import services
from reflections.forms import CommitmentAnswerForm

from .reflection import answer_said, commitment_answer_from

TEMPLATE = "reflections/commitment_answer.html"


class CommitmentLinkView(LoginRequiredMixin, View):
    """GET shows the answer chosen in the e-mail, ready to confirm with an optional line; only POST saves.

    The token is signed, 30 days valid, and names the commitment and its person: a tampered or
    expired link is refused (400), a link opened by someone else too (403); nothing is written.
    """

    def _load(self, request, token):
        try:
            adoption = services.commitment_from_token(token=token, person=request.user)
        except signing.SignatureExpired:
            return None, self._refused(request, "This link has expired (links work for 30 days).", 400)
        except signing.BadSignature:
            return None, self._refused(request, "This link is not valid. It may have been cut short.", 400)
        except PermissionDenied as exc:
            return None, self._refused(request, str(exc), 403)
        if not request.user.has_perm("reflections.view_reflection", adoption.reflection):
            raise Http404("No such reflection.")
        return adoption, None

    def _refused(self, request, reason: str, status: int):
        return render(request, TEMPLATE, {"refused": reason}, status=status)

    def _page(self, request, adoption, form):
        return render(request, TEMPLATE, {"adoption": adoption, "reflection": adoption.reflection, "form": form})

    def get(self, request, token):
        adoption, refused = self._load(request, token)
        if refused:
            return refused
        answer = request.GET.get("answer", "")
        initial = {"answer": answer} if answer in services.commitments.ANSWERS else {}
        return self._page(request, adoption, CommitmentAnswerForm(initial=initial))

    def post(self, request, token):
        adoption, refused = self._load(request, token)
        if refused:
            return refused
        form = CommitmentAnswerForm(request.POST)
        answered = commitment_answer_from(form=form, adoption=adoption, by=request.user)
        if answered is not None:
            messages.success(request, answer_said(answered))
            return redirect(f"{answered.reflection.get_absolute_url()}#adoptions")
        return self._page(request, adoption, form)
