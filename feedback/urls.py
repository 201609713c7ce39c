from django.urls import path  # noqa: F401 -- pages are added as the feedback issue lands

app_name = "feedback"

urlpatterns: list = []
