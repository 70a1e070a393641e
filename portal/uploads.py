"""A file uploaded to be checked, kept until the person confirms the import.

The file waits in the database (``pending_upload``: at most 2 MB, as uploads are), so a file
checked on one server can be confirmed on another. The browser session holds only the row's
random token, the original filename, the file's SHA-256 and what the caller adds. A file
changed after it was checked is never handed back, so what is imported is exactly what was
checked. The row is deleted on confirming, on a new upload, and after a day whatever happens
(the next upload sweeps older ones).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from flask import session as browser_session
from sqlalchemy import LargeBinary, String, delete
from sqlalchemy.orm import Mapped, mapped_column

from portal import db
from portal.db_base import Base, utcnow

KEEP_FOR = dt.timedelta(days=1)


class PendingUploadFile(Base):
    """An uploaded file waiting for its import to be confirmed."""

    __tablename__ = "pending_upload"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)


class PendingUpload:
    """One kind of pending upload, named ``session_key`` in the browser session."""

    def __init__(self, session_key: str) -> None:
        self.session_key = session_key

    def keep(self, data: bytes, filename: str, **extra: Any) -> None:
        """Keep ``data`` for this browser session, replacing any earlier upload. Side effects:
        deletes uploads older than a day; adds the row; flushes."""
        db.session.execute(
            delete(PendingUploadFile).where(PendingUploadFile.created_at < utcnow() - KEEP_FOR)
        )
        self.forget()
        token = secrets.token_hex(16)
        digest = hashlib.sha256(data).hexdigest()
        db.session.add(
            PendingUploadFile(
                token=token,
                kind=self.session_key,
                filename=filename[:300],
                sha256=digest,
                data=data,
                created_at=utcnow(),
            )
        )
        db.session.flush()
        browser_session[self.session_key] = {
            "token": token,
            "filename": filename,
            "sha256": digest,
            **extra,
        }

    def pending(self) -> tuple[dict[str, Any], bytes] | None:
        """The kept upload and its bytes, or None if there is none, it has expired or it
        has changed since it was checked."""
        pending = browser_session.get(self.session_key)
        if not isinstance(pending, dict) or not str(pending.get("token", "")).isalnum():
            return None
        found = db.session.get(PendingUploadFile, pending["token"])
        if found is None or found.kind != self.session_key:
            return None
        if found.created_at < utcnow() - KEEP_FOR:
            return None
        if hashlib.sha256(found.data).hexdigest() != pending.get("sha256"):
            self.forget()  # changed since it was checked: never import what was not checked
            return None
        return pending, found.data

    def forget(self) -> None:
        """Drop this browser session's upload. Side effects: deletes its row, flushes."""
        pending = browser_session.pop(self.session_key, None)
        if isinstance(pending, dict) and str(pending.get("token", "")).isalnum():
            db.session.execute(
                delete(PendingUploadFile).where(
                    PendingUploadFile.token == pending["token"],
                    PendingUploadFile.kind == self.session_key,
                )
            )
