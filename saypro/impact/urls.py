from django.urls import path  # noqa: F401 -- pages are added as the impact issue lands

app_name = "impact"

urlpatterns: list = []
