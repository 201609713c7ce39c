from django.urls import path  # noqa: F401 -- pages are added as the cafes issue lands

app_name = "cafes"

urlpatterns: list = []
