"""The core pages: who may open what, the navigation each role sees, query counts, error pages."""

import re

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from saypro.core import services
from saypro.core.models import Notification
from saypro.navigation import MAIN_NAVIGATION
from tests.permissions import outcome, person_for

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "employee", "mentor", "manager", "officer"]
LOGIN = "/accounts/login/?next="

# (name, method, url)
PAGES = {
    "home": ("get", "/"),
    "notifications": ("get", "/notifications/"),
    "notifications-read": ("post", "/notifications/read/"),
    "preferences": ("get", "/notifications/preferences/"),
    "dashboard": ("get", "/dashboard/"),
    "admin-index": ("get", "/admin/"),
    "calendar-subscription": ("get", "/account/calendar/"),
    "calendar-subscription-make": ("post", "/account/calendar/"),
    # A feed is reached by its secret alone; a guessed one is 404 for everyone.
    "calendar-feed-guessed": ("get", "/calendar/guessed-secret.ics"),
}

# What each role gets: a status, or (302, where to).
EXPECTED = {
    "anonymous": {
        "home": (302, LOGIN + "/"),
        "notifications": (302, LOGIN + "/notifications/"),
        "notifications-read": (302, LOGIN + "/notifications/read/"),
        "preferences": (302, LOGIN + "/notifications/preferences/"),
        "dashboard": (302, LOGIN + "/dashboard/"),
        "admin-index": (302, "/admin/login/?next=/admin/"),
        "calendar-subscription": (302, LOGIN + "/account/calendar/"),
        "calendar-subscription-make": (302, LOGIN + "/account/calendar/"),
        "calendar-feed-guessed": 404,
    },
    **{
        role: {
            "home": 200,
            "notifications": 200,
            "notifications-read": (302, "/notifications/"),
            "preferences": 200,
            "dashboard": 403,
            "admin-index": (302, "/admin/login/?next=/admin/"),
            "calendar-subscription": 200,
            "calendar-subscription-make": 400,
            "calendar-feed-guessed": 404,
        }
        for role in ("employee", "mentor", "manager")
    },
    "officer": {
        "home": 200,
        "notifications": 200,
        "notifications-read": (302, "/notifications/"),
        "preferences": 200,
        "dashboard": 200,
        "admin-index": 200,
        "calendar-subscription": 200,
        "calendar-subscription-make": 400,
        "calendar-feed-guessed": 404,
    },
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_page_permissions(request, client_for, role, page):
    method, url = PAGES[page]
    client = client_for(person_for(request, role))

    response = getattr(client, method)(url)

    assert outcome(response) == EXPECTED[role][page]


def test_non_staff_following_the_admin_redirect_is_refused(client_for, employee):
    response = client_for(employee).get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403


def test_officer_admin_shows_only_models_the_officer_group_may_use(client_for, officer):
    client = client_for(officer)

    index = client.get("/admin/").content.decode()

    assert "Enrolments" in index
    assert ">Departments<" in index
    assert ">Groups<" not in index
    assert client.get("/admin/core/enrolment/").status_code == 200
    assert client.get("/admin/auth/group/").status_code == 403


def test_notifications_mark_read_only_the_persons_own(client_for, employee, other_employee):
    mine = services.notification_create(recipient=employee, kind="k", title="mine")
    theirs = services.notification_create(recipient=other_employee, kind="k", title="theirs")

    client = client_for(employee)
    client.post("/notifications/read/", {"id": [str(mine.pk), str(theirs.pk)]})
    # One id that is not an id refuses the whole request (saypro.core.ids): nothing else is marked.
    refused = client.post("/notifications/read/", {"id": [str(theirs.pk), "x"]})

    assert refused.status_code == 400
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == {mine.pk}


def test_notifications_mark_read_by_htmx_returns_the_bell_with_what_is_left(client_for, employee):
    first = services.notification_create(recipient=employee, kind="k", title="one")
    services.notification_create(recipient=employee, kind="k", title="two")

    response = client_for(employee).post("/notifications/read/", {"id": [str(first.pk)]}, HTTP_HX_REQUEST="true")

    html = re.sub(r"\s+", " ", response.content.decode())
    assert response.status_code == 200
    assert '<span class="badge rounded-pill text-bg-warning">1<span class="visually-hidden"> unread</span>' in html


# --- navigation ---------------------------------------------------------------------------------

# Who sees each entry of saypro/navigation.py, by design.
NAV_BY_ROLE = {
    "employee": ["Home", "Reflections", "Learning board", "Feedback sessions", "Circles", "Cafés"],
    "mentor": ["Home", "Reflections", "Learning board", "Feedback sessions", "Circles", "Cafés", "Mentor queue"],
    "manager": ["Home", "Reflections", "Learning board", "Feedback sessions", "Circles", "Cafés", "Impact"],
    "officer": [
        "Home",
        "Reflections",
        "Learning board",
        "Feedback sessions",
        "Circles",
        "Cafés",
        "Impact",
        "Dashboard",
    ],
}


def _resolves(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.parametrize("role", list(NAV_BY_ROLE))
def test_navigation_shows_each_role_what_it_may_use(request, client_for, role):
    url_names = {label: url_name for label, url_name, _ in MAIN_NAVIGATION}
    expected = [label for label in NAV_BY_ROLE[role] if _resolves(url_names[label])]

    response = client_for(person_for(request, role)).get("/")

    assert [item["label"] for item in response.context["nav_items"]] == expected
    html = response.content.decode()
    nav = html[html.index('<ul class="navbar-nav me-auto">') : html.index("</ul>", html.index("navbar-nav me-auto"))]
    assert re.findall(r'class="nav-link[^"]*" href="[^"]*"[^>]*>([^<]+)</a>', nav) == expected
    assert '<a class="nav-link active" href="/" aria-current="page">Home</a>' in nav


ACCOUNT_MENU = [
    "Change password",
    "E-mail address",
    "Two-factor authentication",
    "Notification preferences",
    "Calendar subscription",
    "API tokens",
    "Your data",
]


def account_menu(html: str) -> list[str]:
    menu = html[html.index('aria-labelledby="account-menu"') : html.index("</ul>", html.index("account-menu"))]
    return re.findall(r'<a class="dropdown-item" href="/[^"]*">([^<]+)</a>', menu)


def test_account_menu_lists_the_person_s_own_pages(client, employee, settings):
    settings.OIDC_SERVER_URL = ""
    client.force_login(employee)

    assert account_menu(client.get("/").content.decode()) == ACCOUNT_MENU


def test_account_menu_offers_company_sign_in_where_it_is_set_up(client, employee, settings):
    settings.OIDC_SERVER_URL = "https://login.example.org"
    settings.OIDC_CLIENT_ID = "saypro"
    client.force_login(employee)

    html = client.get("/").content.decode()

    assert account_menu(html) == [*ACCOUNT_MENU[:3], "Company sign-in", *ACCOUNT_MENU[3:]]
    assert f'href="{reverse("socialaccount_connections")}">Company sign-in</a>' in html


def test_navigation_is_hidden_from_anonymous_visitors(client):
    html = client.get("/accounts/login/").content.decode()

    assert 'id="main-nav"' not in html
    assert "Sign out" not in html


# --- query counts -------------------------------------------------------------------------------


def _notifications(person, n: int) -> None:
    Notification.objects.bulk_create(
        [Notification(recipient=person, kind="k", key=f"k{i}", title=f"Note {i}", url="/x/") for i in range(n)]
    )


@pytest.mark.parametrize("count", [1, 30])
def test_home_page_queries_do_not_grow_with_notifications(client_for, employee, count, django_assert_num_queries):
    _notifications(employee, count)
    client = client_for(employee)

    # session, user, groups, unread count, latest notifications, the person's department, location
    # and job role (1: issue 12, was 3 through the person's foreign keys), plus one panel per
    # activity app: reflections 1, feedback 1, circles 2 (next circle; open round with the sign-up), cafés 1,
    # and the module owner's "What we heard" 1 (was 11, issue 16).
    with django_assert_num_queries(12):
        response = client.get("/")

    assert response.status_code == 200
    assert len(response.context["recent_notifications"]) == min(count, 5)


def test_home_reads_its_kept_panels_in_one_cache_round_trip(client_for, employee, monkeypatch):
    from django.core.cache import cache

    client = client_for(employee)
    client.get("/")
    panel_reads = []
    real = cache.get_many

    def get_many(keys, *args, **kwargs):
        if any(key.startswith("personal:home:") for key in keys):
            panel_reads.append(sorted({key.split(":")[2] for key in keys if key.startswith("personal:home:")}))
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    assert client.get("/").status_code == 200

    assert panel_reads == [["cafes", "circles", "feedback", "heard", "reflections"]]


@pytest.mark.parametrize("count", [1, 30])
def test_notification_list_queries_do_not_grow(client_for, employee, count, django_assert_num_queries):
    _notifications(employee, count)
    client = client_for(employee)

    # A first visit: session, user, groups (navigation), unread count, the page of notifications
    # with their count for the pager (one query: was two); a warm visit runs only the session's
    # (tests/core/test_person_cache.py).
    with django_assert_num_queries(5):
        response = client.get("/notifications/")

    assert response.status_code == 200
    assert len(response.context["notifications"]) == count


# --- error pages --------------------------------------------------------------------------------


def _boom(request):
    raise RuntimeError("boom")


def _ok(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", _boom), path("ok/", _ok), path("", include("saypro.urls"))]
handler403 = "saypro.core.views.home.error_403"
handler404 = "saypro.core.views.home.error_404"
handler500 = "saypro.core.views.home.error_500"


def test_404_page_uses_our_template_with_navigation(client_for, employee, settings):
    settings.DEBUG = False

    response = client_for(employee).get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found · SayPro Share Learnings</title>" in html
    assert "The page does not exist, or it is not shared with you." in html
    assert '<li class="nav-item"><a class="nav-link" href="/">Home</a></li>' in html


def test_404_page_for_anonymous_visitors_has_no_navigation(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'id="main-nav"' not in response.content.decode()


def test_403_page_uses_our_template(client_for, employee, settings):
    settings.DEBUG = False

    response = client_for(employee).get("/dashboard/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "<title>You may not open this page · SayPro Share Learnings</title>" in html
    assert "Your role does not include this page." in html


def test_500_page_uses_our_template(client_for, employee, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client = client_for(employee)
    client.raise_request_exception = False

    response = client.get("/boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "<title>Something went wrong · SayPro Share Learnings</title>" in html
    assert "Nothing you saved is lost" in html
    assert client.get("/ok/").content == b"ok"
