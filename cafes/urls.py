from django.urls import path

from .views import cafes, feedback, talks

app_name = "cafes"

urlpatterns = [
    path("", cafes.CafeListView.as_view(), name="cafe-list"),
    path("new/", cafes.CafeCreateView.as_view(), name="cafe-create"),
    path("<int:pk>/", cafes.CafeDetailView.as_view(), name="cafe-detail"),
    path("<int:pk>/edit/", cafes.CafeUpdateView.as_view(), name="cafe-update"),
    path("<int:pk>/open/", cafes.CafeOpenView.as_view(), name="cafe-open"),
    path("<int:pk>/cancel/", cafes.CafeCancelView.as_view(), name="cafe-cancel"),
    path("<int:pk>/held/", cafes.CafeHeldView.as_view(), name="cafe-held"),
    path("<int:pk>/rsvp/", cafes.RsvpView.as_view(), name="rsvp"),
    path("<int:pk>/agenda/", cafes.AgendaView.as_view(), name="agenda"),
    path("<int:pk>/agenda/publish/", cafes.AgendaPublishView.as_view(), name="agenda-publish"),
    path("<int:pk>/agenda/<int:talk_pk>/move/", cafes.AgendaMoveView.as_view(), name="agenda-move"),
    path("talks/", talks.TalkListView.as_view(), name="proposal-list"),
    path("talks/new/", talks.TalkCreateView.as_view(), name="proposal-create"),
    path("talks/<int:pk>/", talks.TalkDetailView.as_view(), name="proposal-detail"),
    path("talks/<int:pk>/edit/", talks.TalkUpdateView.as_view(), name="proposal-update"),
    path("talks/<int:pk>/withdraw/", talks.TalkWithdrawView.as_view(), name="proposal-withdraw"),
    path("talks/<int:pk>/interest/", talks.TalkInterestView.as_view(), name="proposal-interest"),
    path("talks/<int:pk>/decide/", talks.TalkDecideView.as_view(), name="proposal-decide"),
    path("talks/<int:pk>/feedback/", feedback.TalkFeedbackView.as_view(), name="talk-feedback"),
    path(
        "talks/<int:pk>/feedback/received/",
        feedback.TalkFeedbackReceivedView.as_view(),
        name="talk-feedback-received",
    ),
    path(
        "talks/<int:pk>/feedback/received.csv",
        feedback.TalkFeedbackExportView.as_view(),
        name="talk-feedback-export",
    ),
    path(
        "talks/<int:pk>/feedback/moderation/",
        feedback.FeedbackModerationView.as_view(),
        name="feedback-moderation",
    ),
    path("speakers/me/", feedback.MyGrowthView.as_view(), name="my-growth"),
    path("speakers/<int:pk>/growth/", feedback.SpeakerGrowthView.as_view(), name="speaker-growth"),
    path("speakers/settings/", feedback.SpeakerPreferenceView.as_view(), name="speaker-settings"),
]
