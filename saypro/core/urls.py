from django.urls import path

from .views import audit, calendar_feed, dashboard, emails, home, org_import, personal_data, preferences

app_name = "core"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("notifications/", home.NotificationListView.as_view(), name="notification-list"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/snapshot/", dashboard.DashboardSnapshotView.as_view(), name="dashboard-snapshot"),
    path("dashboard/audit/", audit.AuditListView.as_view(), name="audit-list"),
    path("dashboard/emails/failed/", emails.FailedEmailListView.as_view(), name="email-failed"),
    path("dashboard/emails/<int:pk>/resend/", emails.EmailResendView.as_view(), name="email-resend"),
    path("dashboard/import/", org_import.OrgImportView.as_view(), name="org-import"),
    path("dashboard/import/<int:pk>/", org_import.OrgImportDetailView.as_view(), name="org-import-detail"),
    path("dashboard/import/<int:pk>/retry/", org_import.OrgImportRetryView.as_view(), name="org-import-retry"),
    path("notifications/read/", home.NotificationMarkReadView.as_view(), name="notification-read"),
    path(
        "notifications/preferences/",
        preferences.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path("account/calendar/", calendar_feed.CalendarSubscriptionView.as_view(), name="calendar-subscription"),
    path("calendar/<str:token>.ics", calendar_feed.CalendarFeedView.as_view(), name="calendar-feed"),
    path("account/data/", personal_data.PersonalDataView.as_view(), name="personal-data"),
    path("account/data/export/", personal_data.PersonalDataExportView.as_view(), name="personal-data-export"),
    path("account/data/erase/", personal_data.PersonalDataEraseView.as_view(), name="personal-data-erase"),
]
