"""The test database works: a row written through the ORM reads back, on SQLite and PostgreSQL."""

import pytest
from django.contrib.auth.models import User
from django.db import connection


@pytest.mark.django_db
def test_a_user_is_saved_and_read_back():
    User.objects.create_user("aigerim", password="secret", first_name="Айгерім")

    user = User.objects.get(first_name="Айгерім")

    assert user.username == "aigerim"
    assert user.check_password("secret")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_run_uses_postgresql_with_unicode_case_folding():
    # SQLite folds only ASCII case, so this lookup finds nothing there.
    User.objects.create_user("aigerim", first_name="Айгерім")

    assert connection.vendor == "postgresql"
    assert User.objects.get(first_name__iexact="АЙГЕРІМ").username == "aigerim"
