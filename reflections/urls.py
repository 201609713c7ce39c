from django.urls import path

from .views import board, log, officer, reflection, writing

app_name = "reflections"

urlpatterns = [
    path("", writing.ReflectionMineView.as_view(), name="mine"),
    path("write/", writing.ReflectionWriteView.as_view(), name="write"),
    path("board/", board.BoardView.as_view(), name="board"),
    path("mentor/", board.MentorQueueView.as_view(), name="mentor-queue"),
    path("moderation/", board.ModerationView.as_view(), name="moderation"),
    path("log/", log.LearningLogView.as_view(), name="log"),
    path("log/export.csv", log.LearningLogCsvView.as_view(), name="log-csv"),
    path("log/xapi.json", log.LearningLogXapiView.as_view(), name="log-xapi"),
    path("my-data.json", log.OwnDataExportView.as_view(), name="export"),
    path("<int:pk>/", reflection.ReflectionDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", writing.ReflectionEditView.as_view(), name="edit"),
    path("<int:pk>/autosave/", writing.ReflectionAutosaveView.as_view(), name="autosave"),
    path("<int:pk>/withdraw/", writing.ReflectionWithdrawView.as_view(), name="withdraw"),
    path("<int:pk>/visibility/", writing.ReflectionVisibilityView.as_view(), name="visibility"),
    path("<int:pk>/delete/", writing.ReflectionDeleteView.as_view(), name="delete"),
    path("<int:pk>/review/", reflection.ReflectionReviewView.as_view(), name="review"),
    path("<int:pk>/comments/<str:channel>/", reflection.CommentCreateView.as_view(), name="comment-add"),
    path("<int:pk>/will-try/", reflection.AdoptionWillTryView.as_view(), name="will-try"),
    path("<int:pk>/tried/", reflection.AdoptionTriedView.as_view(), name="tried"),
    path("<int:pk>/hide/", reflection.ReflectionHideView.as_view(), name="hide"),
    path("<int:pk>/unhide/", reflection.ReflectionUnhideView.as_view(), name="unhide"),
    path("<int:pk>/card/", reflection.HuddleCardView.as_view(), name="huddle-card"),
    path("comments/<int:pk>/hide/", reflection.CommentModerateView.as_view(hide=True), name="comment-hide"),
    path("comments/<int:pk>/unhide/", reflection.CommentModerateView.as_view(hide=False), name="comment-unhide"),
    path("templates/", officer.TemplateListView.as_view(), name="template-list"),
    path("templates/new/", officer.TemplateEditView.as_view(), name="template-create"),
    path("templates/<int:pk>/edit/", officer.TemplateEditView.as_view(), name="template-edit"),
    path("newsletters/", officer.NewsletterListView.as_view(), name="newsletter-list"),
    path("newsletters/new/", officer.NewsletterCreateView.as_view(), name="newsletter-create"),
    path("newsletters/<int:pk>/", officer.NewsletterDetailView.as_view(), name="newsletter-detail"),
    path("newsletters/<int:pk>/edit/", officer.NewsletterEditView.as_view(), name="newsletter-edit"),
    path("newsletters/<int:pk>/email/", officer.NewsletterEmailPreviewView.as_view(), name="newsletter-preview"),
    path("newsletters/<int:pk>/publish/", officer.NewsletterPublishView.as_view(), name="newsletter-publish"),
    path("mentees/<int:pk>/remind-mentors/", officer.MentorRemindView.as_view(), name="mentor-remind"),
]
