from django.urls import path  # noqa: F401 -- pages are added as the reflections issue lands

app_name = "reflections"

urlpatterns: list = []
