from django.urls import path  # noqa: F401 -- pages are added as the circles issue lands

app_name = "circles"

urlpatterns: list = []
