"""Top-level URLs: each app under its own prefix."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from saypro.core.company_signin import urlpatterns_for_accounts

# The admin login goes through allauth's protections (rate limits) like the site login.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "SayPro Share Learnings — administration"
admin.site.site_title = "SayPro admin"


class FaviconRedirect(RedirectView):
    """To the logo mark, resolved per request: the static manifest exists only after collectstatic."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("img/logo-mark.svg")


urlpatterns = [
    # Pages that name no icon (the admin, a browser asking on its own) get the logo mark, not a 404.
    path("favicon.ico", FaviconRedirect.as_view()),
    path("admin/", admin.site.urls),
    # Company sign-in's pages first: they answer 404 until it is configured (OIDC_* settings).
    path("accounts/", include(urlpatterns_for_accounts())),
    path("accounts/", include("allauth.urls")),
    path("reflections/", include("reflections.urls")),
    path("feedback/", include("feedback.urls")),
    path("circles/", include("circles.urls")),
    path("cafes/", include("cafes.urls")),
    path("impact/", include("saypro.impact.urls")),
    path("", include("saypro.api.urls")),
    path("", include("saypro.core.urls")),
]

handler403 = "saypro.core.views.home.error_403"
handler404 = "saypro.core.views.home.error_404"
handler500 = "saypro.core.views.home.error_500"
