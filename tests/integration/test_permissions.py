"""Permissions as a matrix: every role against every page (A3), a city only its own, a parent only theirs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from goszakaz.access.actor import Actor
from goszakaz.audit.models import AuditEntry
from goszakaz.queue.services import actualize_queue, import_applications, preview_allocation
from goszakaz.registry.models import Role
from tests.factories import EDU, NOW, PARENT_IIN, app_row

OK, FORBIDDEN, LOGIN = 200, 403, 302

# page -> expected status for: anonymous, EDU Taraz, EDU Shymkent, parent, other parent
MATRIX = {
    ("get", "/edu/queue/"): (LOGIN, OK, OK, FORBIDDEN, FORBIDDEN),
    ("post", "/edu/queue/actualize/"): (LOGIN, LOGIN, LOGIN, FORBIDDEN, FORBIDDEN),
    ("get", "/edu/allocation/new/"): (LOGIN, OK, LOGIN, FORBIDDEN, FORBIDDEN),
    ("get", "/edu/allocation/{run}/"): (LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("post", "/edu/allocation/{run}/decide/"): (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("get", "/parent/"): (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
}
# LOGIN for a signed-in user means "done, redirected": actualize and decide redirect back;
# EDU Shymkent's new allocation redirects to its queue (A5: no Taraz procedure there).


@pytest.fixture
def run(taraz, write_csv, edu_taraz):
    rows = [app_row("1", dt.date(2020, 1, 1), "2021-01-01T10:00:00", 1, parent_iin=PARENT_IIN)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False, actor=Actor.system(Role.EDU),
                        now=NOW)
    return preview_allocation(city=taraz, volume=1, as_of=dt.date(2024, 8, 1),
                              actor=Actor.of_user(edu_taraz), now=NOW)


@pytest.mark.parametrize("page", list(MATRIX), ids=[f"{m} {u}" for m, u in MATRIX])
def test_permission_matrix(page, run, edu_taraz, edu_shymkent, parent, other_parent) -> None:
    # covers: A3
    method, url = page
    url = url.format(run=run.pk)
    users = [None, edu_taraz, edu_shymkent, parent, other_parent]
    for user, expected in zip(users, MATRIX[page], strict=True):
        client = Client()
        if user is not None:
            client.force_login(user)
        data = {"decision": "discard"} if "decide" in url else {}
        response = getattr(client, method)(url, data)
        who = user.username if user else "anonymous"
        assert response.status_code == expected, f"{who} {method} {url}"
        if expected == LOGIN and user is None:
            assert response["Location"].startswith("/accounts/login/")


def test_parent_sees_only_own_children_and_reads_are_logged(run, parent, other_parent) -> None:
    # covers: A3, T1.3
    # the queue actualized as of the run's date: the cabinet then shows the category the run
    # gave the child, not one that depends on the day the test runs
    actualize_queue(city=run.city, on=run.as_of, actor=EDU, now=NOW)
    category = run.outcomes.get(application__parent_iin=PARENT_IIN).category
    assert category is not None
    own, other = Client(), Client()
    own.force_login(parent)
    other.force_login(other_parent)
    page = own.get("/parent/").content.decode()
    assert f"Категория: <strong>{category}</strong>" in page  # the card
    assert f"Категория {category}:" in page  # the explanation
    assert "200101******" in page and PARENT_IIN not in page
    assert "200101" not in other.get("/parent/").content.decode()
    assert AuditEntry.objects.filter(action="application.read", user=parent).count() == 1
    assert not AuditEntry.objects.filter(action="application.read", user=other_parent).exists()


def test_edu_page_shows_summary_and_iterations(run, edu_taraz) -> None:
    # covers: T1.5, T1.6, I9
    client = Client()
    client.force_login(edu_taraz)
    page = client.get(f"/edu/allocation/{run.pk}/").content.decode()
    assert 'id="iterations"' in page and 'id="allocated">1<' in page
    client.post(f"/edu/allocation/{run.pk}/decide/", {"decision": "confirm", "confirmed": "1"})
    run.refresh_from_db()
    assert run.state == "confirmed"
