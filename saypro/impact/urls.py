from django.urls import path

from . import views

app_name = "impact"

urlpatterns = [
    path("", views.ReportLatestView.as_view(), name="report-latest"),
    path("<str:month>/", views.ReportView.as_view(), name="report"),
    path("<str:month>/chart/<slug:name>.svg", views.ChartView.as_view(), name="chart"),
    path("<str:month>/report.csv", views.ReportCsvView.as_view(), name="report-csv"),
    path("<str:month>/report.pdf", views.ReportPdfView.as_view(), name="report-pdf"),
    path("<str:month>/rebuild/", views.RebuildView.as_view(), name="rebuild"),
]
