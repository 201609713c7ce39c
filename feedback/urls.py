from django.urls import path

from .views import console, contributions, heard, sessions

app_name = "feedback"

urlpatterns = [
    path("", sessions.SessionListView.as_view(), name="session-list"),
    path("new/", sessions.SessionCreateView.as_view(), name="session-create"),
    path("candidates/", sessions.NewsletterCandidatesView.as_view(), name="newsletter-candidates"),
    path("modules/<int:module_pk>/", sessions.ModuleParticipationView.as_view(), name="module-participation"),
    path("modules/<int:module_pk>/heard/", heard.HeardView.as_view(), name="heard"),
    path("modules/<int:module_pk>/heard/update/", heard.HeardUpdateView.as_view(), name="heard-update"),
    path("modules/<int:module_pk>/heard.csv", heard.HeardCsvView.as_view(), name="heard-csv"),
    path("modules/<int:module_pk>/heard.pdf", heard.HeardPdfView.as_view(), name="heard-pdf"),
    path("themes/<int:pk>/rename/", heard.ThemeRenameView.as_view(), name="theme-rename"),
    path("themes/<int:pk>/merge/", heard.ThemeMergeView.as_view(), name="theme-merge"),
    path("themes/<int:pk>/addressed/", heard.ThemeAddressedView.as_view(), name="theme-addressed"),
    path("themes/<int:pk>/reopen/", heard.ThemeReopenView.as_view(), name="theme-reopen"),
    path("<int:pk>/", sessions.SessionDetailView.as_view(), name="session-detail"),
    path("<int:pk>/edit/", sessions.SessionEditView.as_view(), name="session-edit"),
    path("<int:pk>/schedule/", sessions.SessionScheduleView.as_view(), name="session-schedule"),
    path("<int:pk>/cancel/", sessions.SessionCancelView.as_view(), name="session-cancel"),
    path("<int:pk>/open/", console.SessionOpenView.as_view(), name="session-open"),
    path("<int:pk>/close/", console.SessionCloseView.as_view(), name="session-close"),
    path("<int:pk>/console/", console.ConsoleView.as_view(), name="console"),
    path("<int:pk>/console/board/", console.ConsoleBoardView.as_view(), name="console-board"),
    path("<int:pk>/attendance/", console.AttendanceView.as_view(), name="attendance"),
    path("<int:pk>/attendance/list/", console.AttendanceListView.as_view(), name="attendance-list"),
    path("<int:pk>/contribute/", contributions.ContributionAddView.as_view(), name="contribution-add"),
    path("<int:pk>/record/", contributions.ContributionRecordView.as_view(), name="contribution-record"),
    path("contributions/<int:pk>/edit/", contributions.ContributionEditView.as_view(), name="contribution-edit"),
    path(
        "contributions/<int:pk>/withdraw/",
        contributions.ContributionWithdrawView.as_view(),
        name="contribution-withdraw",
    ),
    path("contributions/<int:pk>/mark/", contributions.ContributionMarkView.as_view(), name="contribution-mark"),
    path("contributions/<int:pk>/hide/", contributions.ContributionHideView.as_view(), name="contribution-hide"),
    path("contributions/<int:pk>/suggest/", contributions.SuggestionAddView.as_view(), name="suggestion-add"),
    path("suggestions/<int:pk>/hide/", contributions.SuggestionHideView.as_view(), name="suggestion-hide"),
]
