"""Alembic environment: runs on the connection portal.migrate hands it."""

from __future__ import annotations

from alembic import context

from portal.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations through `flask --app wsgi portal db upgrade`.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters tables by copying them; batch mode does that for us.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
