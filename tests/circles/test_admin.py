import pytest
from django.urls import reverse

from tests.circles.conftest import published_circle
from tests.factories import UserFactory
from tests.factories.circles import SignupFactory

pytestmark = pytest.mark.django_db

MODELS = ["topic", "round", "signup", "signupchoice", "standingsignup", "neverwith", "circle", "membership", "learning"]


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_and_change_pages_render(client, employee, colleagues, open_round, model):
    admin = UserFactory(is_staff=True, is_superuser=True)
    published_circle(people=[employee, *colleagues])
    SignupFactory(round=open_round, person=employee)
    client.force_login(admin)
    response = client.get(reverse(f"admin:circles_{model}_changelist"))
    assert response.status_code == 200
    obj = response.context["cl"].result_list[0] if response.context["cl"].result_list else None
    if obj is not None:
        assert client.get(reverse(f"admin:circles_{model}_change", args=[obj.pk])).status_code == 200


def test_officer_admin_sees_circles_but_not_private_signups(client, officer):
    client.force_login(officer)
    assert client.get(reverse("admin:circles_circle_changelist")).status_code == 200
    assert client.get(reverse("admin:circles_signup_changelist")).status_code == 403
    assert client.get(reverse("admin:circles_neverwith_changelist")).status_code == 403
