"""The PostgreSQL server the tests use, found once per run.

`DRAMABOT_TEST_POSTGRES` names a maintenance URL (a database the tests may create others from);
without it, postgresql://postgres@127.0.0.1:5432/postgres. Each test run creates its own fresh
database (dramabot_test_<random>) and drops it at the end; each test gets a fresh schema in it
(`schema_url`), so tests never see each other's rows. When no server answers, a PostgreSQL test
skips with one line saying how to run it, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest

DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
ENV = "DRAMABOT_TEST_POSTGRES"
HOW = f"set {ENV}=postgresql://user@host:port/db (a server the tests may create databases on) or run .ci/run"


def maintenance_url() -> str:
    # tests/conftest.py clears DRAMABOT_* variables at import; .ci/run's value is kept there first
    return os.environ.get(ENV) or KEPT.get(ENV) or DEFAULT


KEPT: dict[str, str] = {}


@lru_cache(maxsize=1)
def unreachable() -> str | None:
    """Why the server cannot be used (None: it can), asked once per run."""
    try:
        with psycopg.connect(maintenance_url(), connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def require_server() -> None:
    """Skip (or, under CI=true, fail) the test when no PostgreSQL server answers."""
    problem = unreachable()
    if problem is None:
        return
    where = urlsplit(maintenance_url())
    message = f"no PostgreSQL at {where.hostname}:{where.port or 5432} ({problem}); {HOW}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def with_database(url: str, name: str, *, schema: str | None = None) -> str:
    """The URL of database `name` on the same server (and, given `schema`, only that schema on its path)."""
    parts = urlsplit(url)
    query = parts.query
    if schema is not None:
        query = "&".join(filter(None, [query, "options=" + quote(f"-csearch_path={schema}")]))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, query, parts.fragment))


@contextmanager
def run_database() -> Iterator[str]:
    """A fresh database for this test run, dropped at the end (with any connection left on it)."""
    require_server()
    name = f"dramabot_test_{secrets.token_hex(4)}"
    with psycopg.connect(maintenance_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(maintenance_url(), name)
    finally:
        with psycopg.connect(maintenance_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_schema(database_url: str) -> str:
    """A new empty schema in the run's database; returns a URL whose connections use only it."""
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return with_database(database_url, urlsplit(database_url).path.lstrip("/"), schema=schema)
