"""A file uploaded to be imported, kept while it is checked and until the import is confirmed.

The file waits in the database (``pending_upload``: at most a few MB, as uploads are), so
the background tasks that check and import it can run on any server, and a file checked on
one server can be confirmed on another. The tasks carry the row's random token and the
file's SHA-256 in their inputs: a file changed after it was checked is never handed back, so
what is imported is exactly what was checked. The row is deleted when its import is done,
and after a day whatever happens (the next upload sweeps older ones).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import LargeBinary, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db_base import Base, utcnow

KEEP_FOR = dt.timedelta(days=1)
GONE = "The file you checked is no longer here (files are kept for a day). Upload it again."


class PendingUploadFile(Base):
    """An uploaded file waiting to be checked and imported."""

    __tablename__ = "pending_upload"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class KeptUpload:
    """What names a kept upload in a task's inputs."""

    token: str
    filename: str
    sha256: str

    def params(self) -> dict[str, Any]:
        return {"upload": self.token, "filename": self.filename, "sha256": self.sha256}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> KeptUpload:
        return cls(str(params["upload"]), str(params["filename"]), str(params["sha256"]))


def keep(session: Session, kind: str, data: bytes, filename: str) -> KeptUpload:
    """Keep ``data`` to be checked and imported. Side effects: deletes uploads older than a
    day; adds the row; flushes."""
    session.execute(
        delete(PendingUploadFile).where(PendingUploadFile.created_at < utcnow() - KEEP_FOR)
    )
    kept = KeptUpload(secrets.token_hex(16), filename[:300], hashlib.sha256(data).hexdigest())
    session.add(
        PendingUploadFile(
            token=kept.token,
            kind=kind,
            filename=kept.filename,
            sha256=kept.sha256,
            data=data,
            created_at=utcnow(),
        )
    )
    session.flush()
    return kept


def kept_data(session: Session, kind: str, kept: KeptUpload) -> bytes | None:
    """The kept file's bytes, or None if it has gone, has expired or has changed since it was
    uploaded (never import what was not checked)."""
    if not kept.token.isalnum():
        return None
    found = session.get(PendingUploadFile, kept.token)
    if found is None or found.kind != kind or found.created_at < utcnow() - KEEP_FOR:
        return None
    if hashlib.sha256(found.data).hexdigest() != kept.sha256:
        return None
    return found.data


def forget(session: Session, kind: str, kept: KeptUpload) -> None:
    """Delete the kept file (its import is done). Side effects: deletes its row."""
    session.execute(
        delete(PendingUploadFile).where(
            PendingUploadFile.token == kept.token, PendingUploadFile.kind == kind
        )
    )
