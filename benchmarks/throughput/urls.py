"""The site's URLs plus the trivial view the benchmark measures right before each page."""

from django.http import HttpResponse
from django.urls import path

from saypro.urls import handler403, handler404, handler500  # noqa: F401 -- Django reads the error handlers here
from saypro.urls import urlpatterns as site_urlpatterns


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/ok/", trivial), *site_urlpatterns]
