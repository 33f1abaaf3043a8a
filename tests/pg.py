"""Throw-away PostgreSQL databases for the tests, on the server DESKAPP_TEST_POSTGRES_URL names.

Each test gets a database of its own, made from a template that is migrated (or loaded with the
demo community) once per session: `CREATE DATABASE … TEMPLATE …` copies files and costs far less
than running the migrations again. Names carry a per-session prefix, so two test runs on one
server never meet.
"""

from __future__ import annotations

import os
import uuid

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

URL = os.environ.get("DESKAPP_TEST_POSTGRES_URL", "")


class PgServer:
    """The test server: makes and drops whole databases through an autocommit connection."""

    def __init__(self, url: str) -> None:
        self.base = make_url(url)
        self.prefix = f"dt_{uuid.uuid4().hex[:8]}"
        self.admin: Engine = create_engine(self.base, isolation_level="AUTOCOMMIT", pool_size=1)

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def new_name(self) -> str:
        return f"{self.prefix}_{uuid.uuid4().hex[:12]}"

    def create(self, name: str, template: str | None = None) -> str:
        clause = f' TEMPLATE "{template}"' if template else " TEMPLATE template0"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return self.url(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def drop_all_of_this_run(self) -> None:
        with self.admin.connect() as connection:
            names = connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": f"{self.prefix}%"}
            ).scalars()
            for name in list(names):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()
