"""An erasure leaves no copy of the person's details in the database's storage: on SQLite
not in the file's free space nor in its write-ahead log (``secure_delete`` and a checkpoint
after the erasure); on PostgreSQL not in any row (VACUUM and backups are documented in
docs/privacy.md)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from portal.auth.models import Role, User
from portal.db_base import Base
from portal.registration.models import Application

EMAIL = "zelda.quince.4471@example.org"
DETAILS = (EMAIL, "Zelda Quince", "Quince Quilts Ltd", "07700 900471")


def test_no_copy_of_her_details_is_left_in_storage(client, session, signed_in_as, make_member):
    zelda = make_member(name="Zelda Quince")
    person = session.get(User, zelda.person.id)
    person.email = EMAIL
    application = session.scalar(select(Application).where(Application.person_id == person.id))
    application.business_name = "Quince Quilts Ltd"
    application.phone = "07700 900471"
    session.commit()

    signed_in_as(Role.ADMIN)
    done = client.submit_form(f"/admin/users/{person.id}/erase", {"reason": "Asked by email"})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert done.headers["Location"].endswith(f"/admin/users/{person.id}"), done.headers
    session.rollback()
    session.expire_all()
    assert session.get(User, person.id).is_erased

    engine = session.get_bind()
    if engine.dialect.name == "sqlite":
        assert session.scalar(text("PRAGMA secure_delete")) == 1
        session.rollback()
        database = Path(make_url(str(engine.url)).database or "")
        log = database.with_name(database.name + "-wal")
        # The checkpoint after the erasure emptied the log.
        assert not log.exists() or log.stat().st_size == 0
        stored = database.read_bytes() + (log.read_bytes() if log.exists() else b"")
        for detail in DETAILS:
            assert detail.encode() not in stored, detail
    else:
        for table in Base.metadata.sorted_tables:
            # The table names are the portal's own, from its metadata.
            query = f'SELECT count(*) FROM "{table.name}" AS t WHERE t::text LIKE :detail'  # noqa: S608
            for detail in DETAILS:
                found = session.scalar(
                    text(query),
                    {"detail": f"%{detail}%"},
                )
                assert not found, (table.name, detail)
        session.rollback()
