"""The API (/api/v1/), its schema and docs, and the token page (/account/tokens/)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import pages, views

app_name = "api"

urlpatterns = [
    path("api/v1/me/", views.MeView.as_view(), name="me"),
    path("api/v1/learning-log/", views.LearningLogView.as_view(), name="learning-log"),
    path("api/v1/reflection-templates/", views.TemplateListView.as_view(), name="template-list"),
    path("api/v1/reflections/", views.ReflectionListView.as_view(), name="reflection-list"),
    path("api/v1/reflections/<str:pk>/", views.ReflectionDetailView.as_view(), name="reflection-detail"),
    path("api/v1/reflections/<str:pk>/submit/", views.ReflectionSubmitView.as_view(), name="reflection-submit"),
    path("api/v1/circles/round/", views.CircleRoundView.as_view(), name="circle-round"),
    path("api/v1/circles/round/signup/", views.CircleSignupView.as_view(), name="circle-signup"),
    path("api/v1/cafes/", views.CafeListView.as_view(), name="cafe-list"),
    path("api/v1/cafes/<str:pk>/rsvp/", views.CafeRsvpView.as_view(), name="cafe-rsvp"),
    path("api/v1/snapshots/", views.SnapshotListView.as_view(), name="snapshot-list"),
    path("api/v1/snapshots/<str:month>/", views.SnapshotDetailView.as_view(), name="snapshot-detail"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", views.ApiDocsView.as_view(), name="docs"),
    path("account/tokens/", pages.TokenListView.as_view(), name="tokens"),
    path("account/tokens/<int:pk>/revoke/", pages.TokenRevokeView.as_view(), name="token-revoke"),
]
