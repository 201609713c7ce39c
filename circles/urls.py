from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("", views.MyCirclesView.as_view(), name="mine"),
    path("sign-up/", views.SignupView.as_view(), name="signup"),
    path("every-week/", views.StandingView.as_view(), name="standing"),
    path("never-with/", views.NeverWithView.as_view(), name="never-with"),
    path("never-with/<int:pk>/remove/", views.NeverWithRemoveView.as_view(), name="never-with-remove"),
    path("who-i-met/", views.HistoryView.as_view(), name="history"),
    path("circle/<int:pk>/", views.CircleDetailView.as_view(), name="circle-detail"),
    path("circle/<int:pk>/invite.ics", views.CircleInviteView.as_view(), name="circle-invite"),
    path("circle/<int:pk>/leave/", views.CircleLeaveView.as_view(), name="circle-leave"),
    path("circle/<int:pk>/attendance/", views.AttendanceView.as_view(), name="circle-attendance"),
    path("circle/<int:pk>/learnings/", views.LearningCreateView.as_view(), name="learning-add"),
    path("learnings/<int:pk>/hide/", views.LearningHideView.as_view(), name="learning-hide"),
    path("circle/<int:pk>/lock/", views.CircleLockView.as_view(), name="circle-lock"),
    path("rounds/", views.RoundListView.as_view(), name="round-list"),
    path("rounds/open-next/", views.RoundOpenView.as_view(), name="round-open"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("rounds/<int:pk>/circles/", views.RoundCirclesView.as_view(), name="round-circles"),
    path("rounds/<int:pk>/edit/", views.RoundEditView.as_view(), name="round-edit"),
    path("rounds/<int:pk>/form/", views.RoundFormGroupsView.as_view(), name="round-form"),
    path("rounds/<int:pk>/call-off/", views.RoundCancelView.as_view(), name="round-cancel"),
    path("rounds/<int:pk>/publish/", views.RoundPublishView.as_view(), name="round-publish"),
    path("rounds/<int:pk>/move/<int:person_id>/", views.MembershipMoveView.as_view(), name="membership-move"),
    path("rounds/<int:pk>/move/<int:person_id>/preview/", views.MovePreviewView.as_view(), name="move-preview"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/new/", views.TopicEditView.as_view(), name="topic-create"),
    path("topics/<int:pk>/edit/", views.TopicEditView.as_view(), name="topic-edit"),
]
