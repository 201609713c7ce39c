"""The site's URLs plus the benchmark's reference views.

- `/bench/ok/`: a trivial `HttpResponse("ok")`, measured right before each page (the ratio's divisor).
- `/bench/signed-in/`: the cheapest page a signed-in person can get from the site: the base
  template (navigation, bell, account menu) around one line, through every middleware. No key page
  can be faster than this floor; the benchmark prints its ratio beside the pages.
- `/bench/naive/`: a naive signed-in page as a newcomer would write it: base template, one list
  query of ten rows and a small crispy form (the issue's "naive Django page", 0.09x on the machine
  it was first measured on).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from saypro.core.models import Notification
from saypro.urls import handler403, handler404, handler500  # noqa: F401 -- Django reads the error handlers here
from saypro.urls import urlpatterns as site_urlpatterns

SIGNED_IN = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Bench{% endblock %}{% block content %}<p>ok</p>{% endblock %}'
)
NAIVE = engines["django"].from_string(
    '{% extends "base.html" %}{% load crispy_forms_tags %}{% block title %}Bench{% endblock %}{% block content %}'
    "<ul>{% for n in rows %}<li>{{ n.title }} {{ n.created_at|date }}</li>{% endfor %}</ul>"
    "<form method=post>{% csrf_token %}{{ form|crispy }}<button>Send</button></form>{% endblock %}"
)


class NaiveForm(forms.Form):
    title = forms.CharField(max_length=100)
    body = forms.CharField(widget=forms.Textarea, required=False)
    when = forms.DateField(required=False)


def trivial(request):
    return HttpResponse("ok")


@login_required
def signed_in(request):
    return HttpResponse(SIGNED_IN.render({}, request))


@login_required
def naive(request):
    rows = Notification.objects.filter(recipient=request.user).order_by("-created_at")[:10]
    return HttpResponse(NAIVE.render({"rows": rows, "form": NaiveForm()}, request))


urlpatterns = [
    path("bench/ok/", trivial),
    path("bench/signed-in/", signed_in),
    path("bench/naive/", naive),
    *site_urlpatterns,
]
