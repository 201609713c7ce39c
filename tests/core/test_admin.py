"""The admin as the officer's power tool: group permissions only, audited role changes, bulk actions, cost."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from saypro.core import roles
from saypro.core.models import AuditEntry, Enrolment, Placement, User
from saypro.core.services import audit_record
from tests.factories import DepartmentFactory, EnrolmentFactory, ModuleFactory, UserFactory
from tests.factories.core import PASSWORD

pytestmark = pytest.mark.django_db


def admin_models(response) -> set[str]:
    return {f"{app['app_label']}.{m['object_name']}" for app in response.context["app_list"] for m in app["models"]}


def limited_staff(*codenames: str) -> User:
    """Staff in a group holding only the given core permissions."""
    group = Group.objects.create(name="Limited desk")
    group.permissions.set(Permission.objects.filter(content_type__app_label="core", codename__in=codenames))
    return UserFactory(is_staff=True, roles=["Limited desk"])


# --- who reaches what ---------------------------------------------------------------------------


def test_officer_is_staff_but_not_superuser(officer):
    assert (officer.is_staff, officer.is_superuser, officer.has_group(roles.OFFICER)) == (True, False, True)


def test_officer_sees_the_core_models_of_their_group_and_not_the_others(client_for, officer):
    response = client_for(officer).get("/admin/")

    models = admin_models(response)
    assert {"core.User", "core.Enrolment", "core.AuditEntry", "core.OutboundEmail", "core.JobHeartbeat"} <= models
    assert "auth.Group" not in models
    assert "core.NotificationPreference" not in models


@pytest.mark.parametrize("url", ["/admin/auth/group/", "/admin/core/notificationpreference/"])
def test_officer_gets_403_on_a_changelist_without_its_permission(client_for, officer, url):
    assert client_for(officer).get(url).status_code == 403


def test_staff_without_a_model_permission_neither_sees_nor_opens_it(client_for):
    person = limited_staff("view_user")
    client = client_for(person)

    models = admin_models(client.get("/admin/"))

    assert models == {"core.User"}
    assert client.get("/admin/core/auditentry/").status_code == 403
    assert client.get("/admin/core/enrolment/").status_code == 403
    assert client.get("/admin/core/user/").status_code == 200


@pytest.mark.parametrize("role", ["employee", "mentor", "manager"])
def test_signed_in_people_without_staff_rights_get_403_from_the_admin(request, client_for, role):
    client = client_for(request.getfixturevalue(role))

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403


def test_anonymous_people_are_sent_to_the_site_login_from_the_admin(client):
    response = client.get("/admin/core/user/", follow=True)

    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/core/user/", 302),
        ("/accounts/login/?next=%2Fadmin%2Fcore%2Fuser%2F", 302),
    ]


def test_admin_login_is_rate_limited_like_the_site_login(client, officer):
    """The admin's own form signs nobody in; the site login it sends people to stops guessing after 5 tries."""
    admin_post = client.post("/admin/login/", {"username": officer.email, "password": PASSWORD})
    for _ in range(5):
        client.post("/accounts/login/?next=/admin/", {"login": officer.email, "password": "wrong"})
    right = client.post("/accounts/login/?next=/admin/", {"login": officer.email, "password": PASSWORD})

    assert (admin_post.status_code, admin_post["Location"]) == (302, "/accounts/login/?next=%2Fadmin%2Flogin%2F")
    assert right.status_code == 200
    assert "Too many failed login attempts. Try again later." in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


# --- people: role changes, access, moves --------------------------------------------------------


def change_form_data(client, person) -> dict:
    """What the admin's change form of a person would post back unchanged."""
    form = client.get(f"/admin/core/user/{person.pk}/change/").context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name == "password" or value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


def test_role_change_in_the_admin_is_audited_with_groups_before_and_after(client_for, officer, employee):
    client = client_for(officer)
    data = change_form_data(client, employee)
    data["groups"] = list(Group.objects.filter(name__in=[roles.EMPLOYEE, roles.MENTOR]).values_list("pk", flat=True))

    response = client.post(f"/admin/core/user/{employee.pk}/change/", data)

    assert response.status_code == 302
    audit = AuditEntry.objects.get(action="person.roles_changed")
    assert (audit.actor, audit.target, audit.data) == (
        officer,
        employee,
        {"before": [roles.EMPLOYEE], "after": [roles.EMPLOYEE, roles.MENTOR]},
    )
    assert set(employee.groups.values_list("name", flat=True)) == {roles.EMPLOYEE, roles.MENTOR}


def test_saving_a_person_without_changing_roles_writes_no_audit_entry(client_for, officer, employee):
    client = client_for(officer)
    data = change_form_data(client, employee)
    data["first_name"] = "Renamed"

    client.post(f"/admin/core/user/{employee.pk}/change/", data)

    assert AuditEntry.objects.count() == 0
    assert User.objects.get(pk=employee.pk).first_name == "Renamed"


def test_deactivating_a_person_is_audited(client_for, officer, employee):
    client = client_for(officer)
    data = change_form_data(client, employee)
    del data["is_active"]

    client.post(f"/admin/core/user/{employee.pk}/change/", data)

    audit = AuditEntry.objects.get()
    assert (audit.action, audit.data) == (
        "person.access_changed",
        {"before": {"is_active": True}, "after": {"is_active": False}},
    )


def test_officer_cannot_make_anyone_superuser_or_grant_single_permissions(client_for, officer, employee):
    client = client_for(officer)
    data = change_form_data(client, employee)
    data["is_superuser"] = "on"
    data["user_permissions"] = [Permission.objects.get(codename="delete_user").pk]

    response = client.post(f"/admin/core/user/{employee.pk}/change/", data)

    employee.refresh_from_db()
    assert response.status_code == 302
    assert (employee.is_superuser, employee.user_permissions.count()) == (False, 0)


def test_moving_a_person_in_the_admin_keeps_the_placement_history(client_for, officer, employee):
    client = client_for(officer)
    old_department = employee.department
    data = change_form_data(client, employee)
    data["department"] = DepartmentFactory(name="Finance").pk

    client.post(f"/admin/core/user/{employee.pk}/change/", data)

    placements = list(Placement.objects.filter(person=employee).order_by("valid_from"))
    assert [(p.department.name, p.valid_to is None) for p in placements] == [
        (old_department.name, False),
        ("Finance", True),
    ]
    assert User.objects.get(pk=employee.pk).department.name == "Finance"


# --- bulk actions -------------------------------------------------------------------------------


def test_enrol_action_asks_for_the_module_on_an_intermediate_page(client_for, officer):
    people = [UserFactory(), UserFactory()]
    ModuleFactory(title="Coaching conversations")

    response = client_for(officer).post(
        "/admin/core/user/", {"action": "enrol_in_module", "_selected_action": [p.pk for p in people]}
    )

    assert response.status_code == 200
    assert response.template_name == "admin/core/user/enrol_in_module.html"
    html = response.content.decode()
    assert "2 people are selected" in html
    assert "Coaching conversations" in html
    assert Enrolment.objects.count() == 0


def test_enrol_action_enrols_active_people_once_and_audits(client_for, officer):
    module = ModuleFactory()
    already = UserFactory()
    EnrolmentFactory(person=already, module=module)
    new = UserFactory()
    inactive = UserFactory(is_active=False)
    selected = [already.pk, new.pk, inactive.pk]

    response = client_for(officer).post(
        "/admin/core/user/",
        {"action": "enrol_in_module", "_selected_action": selected, "apply": "Enrol them", "module": module.pk},
        follow=True,
    )

    assert set(Enrolment.objects.filter(module=module).values_list("person_id", flat=True)) == {already.pk, new.pk}
    audit = AuditEntry.objects.get()
    assert (audit.action, audit.actor, audit.target, audit.data) == (
        "module.people_enrolled",
        officer,
        module,
        {"selected": 2, "enrolled": 1, "already_enrolled": 1},
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"1 enrolled in {module}; 1 already were; 1 inactive left out."
    ]


def test_enrol_action_without_a_module_says_so_and_enrols_nobody(client_for, officer):
    person = UserFactory()

    response = client_for(officer).post(
        "/admin/core/user/", {"action": "enrol_in_module", "_selected_action": [person.pk], "apply": "Enrol them"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"module": ["This field is required."]}
    assert f'name="_selected_action" value="{person.pk}"' in response.content.decode()
    assert (Enrolment.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_enrol_action_is_not_offered_without_permission_to_add_enrolments(client_for):
    person = limited_staff("view_user", "change_user")

    response = client_for(person).get("/admin/core/user/")

    choices = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert choices == ["", "export_as_csv"]


def test_withdraw_action_withdraws_now_and_audits_each(client_for, officer):
    enrolments = [EnrolmentFactory(), EnrolmentFactory()]
    gone = EnrolmentFactory(status=Enrolment.Status.WITHDRAWN, withdrawn_at=timezone.now())
    before = timezone.now()

    client_for(officer).post(
        "/admin/core/enrolment/",
        {"action": "withdraw", "_selected_action": [e.pk for e in [*enrolments, gone]]},
    )

    for enrolment in enrolments:
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.WITHDRAWN
        assert enrolment.withdrawn_at >= before
    assert sorted(AuditEntry.objects.values_list("action", "target_id")) == sorted(
        ("enrolment.withdrawn", str(e.pk)) for e in enrolments
    )


def test_enrolment_form_does_not_offer_withdrawing_without_its_time(client_for, officer):
    enrolment = EnrolmentFactory()

    form = client_for(officer).get(f"/admin/core/enrolment/{enrolment.pk}/change/").context["adminform"].form

    assert [value for value, _ in form.fields["status"].choices] == ["enrolled", "completed"]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_action_downloads_the_selected_rows_with_the_list_columns(client_for, officer):
    module = ModuleFactory(title="Delegation", is_major=True)
    person = UserFactory(email="ayanda@example.org", first_name="Ayanda", last_name="Zulu")
    enrolment = EnrolmentFactory(person=person, module=module)
    EnrolmentFactory()

    response = client_for(officer).post(
        "/admin/core/enrolment/", {"action": "export_as_csv", "_selected_action": [enrolment.pk]}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="core-enrolment-')
    local = timezone.localtime(enrolment.enrolled_at).strftime("%Y-%m-%d %H:%M")
    assert read_csv(response) == [
        ["Person", "Module", "Status", "Enrolled at", "Withdrawn at"],
        ["Ayanda Zulu", str(module), "Enrolled", local, ""],
    ]


def test_export_keeps_spreadsheet_formulas_as_text(client_for, officer):
    person = UserFactory(first_name="=HYPERLINK(1)", last_name="Smith")

    response = client_for(officer).post(
        "/admin/core/user/", {"action": "export_as_csv", "_selected_action": [person.pk]}
    )

    rows = read_csv(response)
    assert rows[0] == [
        "E-mail address",
        "First name",
        "Last name",
        "Department",
        "Location",
        "Job role",
        "Roles",
        "Is active",
    ]
    assert rows[1][1:3] == ["'=HYPERLINK(1)", "Smith"]
    assert rows[1][7] == "yes"


def test_export_is_offered_on_every_app_changelist(client_for, officer):
    audit_record(actor=officer, action="x")

    response = client_for(officer).get("/admin/core/auditentry/")

    assert [name for name, _ in response.context["action_form"].fields["action"].choices] == ["", "export_as_csv"]


# --- cost of the busiest list pages ---------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 40])
def test_user_changelist_query_count_does_not_grow(client_for, officer, size, django_assert_num_queries):
    for _ in range(size):
        UserFactory(roles=[roles.EMPLOYEE, roles.MENTOR])
    client = client_for(officer)

    with django_assert_num_queries(16):
        response = client.get("/admin/core/user/")

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 40])
def test_enrolment_changelist_query_count_does_not_grow(client_for, officer, size, django_assert_num_queries):
    modules = [ModuleFactory() for _ in range(min(size, 5))]
    for i in range(size):
        EnrolmentFactory(module=modules[i % len(modules)])
    client = client_for(officer)

    with django_assert_num_queries(12):
        response = client.get("/admin/core/enrolment/")

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 40])
def test_audit_changelist_query_count_does_not_grow(client_for, officer, size, django_assert_num_queries):
    module = ModuleFactory()
    for i in range(size):
        audit_record(actor=officer, action=f"action.{i % 3}", target=module if i % 2 else officer)
    client = client_for(officer)

    with django_assert_num_queries(13):
        response = client.get("/admin/core/auditentry/")

    assert response.status_code == 200


def test_enrol_action_on_every_person_of_a_filtered_list_enrols_only_those(client_for, officer):
    finance = DepartmentFactory(name="Finance")
    in_finance = [UserFactory(department=finance), UserFactory(department=finance)]
    UserFactory()
    module = ModuleFactory()
    url = f"/admin/core/user/?department__id__exact={finance.pk}"
    chosen = {"action": "enrol_in_module", "_selected_action": [in_finance[0].pk], "select_across": "1"}

    page = client_for(officer).post(url, chosen)
    client_for(officer).post(url, {**chosen, "apply": "Enrol them", "module": module.pk})

    assert "2 people are selected" in page.content.decode()
    assert set(Enrolment.objects.values_list("person_id", flat=True)) == {p.pk for p in in_finance}


def test_mentor_links_of_one_mentee_open_from_the_dashboard_link(client_for, officer, mentor, employee):
    from tests.factories import MentorLinkFactory

    MentorLinkFactory()

    response = client_for(officer).get(f"/admin/core/mentorlink/?mentee__id__exact={employee.pk}")

    assert response.status_code == 200
    assert [(link.mentor, link.mentee) for link in response.context["cl"].result_list] == [(mentor, employee)]


# --- periodic tasks (django-celery-beat) -----------------------------------------------------------


def test_periodic_task_page_runs_no_inline_script_and_lists_the_tasks(client_for, officer):
    """Under the CSP (script-src 'self') only scripts with a src run; the crontab help comes from our static file."""
    import re

    from django.contrib.auth.models import Permission
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    officer.user_permissions.add(*Permission.objects.filter(content_type__app_label="django_celery_beat"))
    monthly = CrontabSchedule.objects.create(minute="0", hour="7", day_of_month="1")
    task = PeriodicTask.objects.create(
        name="cafes-draft-next-month", task="cafes.cafe_draft_next_month_task", crontab=monthly
    )

    response = client_for(officer).get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    html = response.content.decode()

    assert response.status_code == 200
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    inline = [attrs for attrs, body in scripts if body.strip() and 'type="application/json"' not in attrs]
    assert inline == []
    assert '<script src="/static/js/periodic_task_admin.js"></script>' in html
    assert '<option value="cafes.cafe_draft_next_month_task"' in html  # "Task (registered)" lists the tasks
    assert "script-src 'self'" in response["Content-Security-Policy"]
