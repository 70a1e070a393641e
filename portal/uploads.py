"""A file uploaded to be checked, kept until the person confirms the import.

The file waits in ``<instance>/imports/`` under a random name; the browser session holds only
that name, the original filename, the file's SHA-256 and what the caller adds. A file
changed on disk after it was checked is never handed back, so what is imported is exactly
what was checked. Files left behind for more than a day are removed on the next upload.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from flask import session as browser_session

from portal.db_base import utcnow

FOLDER = "imports"
KEEP_FOR = dt.timedelta(days=1)


class PendingUpload:
    """One kind of pending upload: ``session_key`` in the browser session, files named
    ``<prefix><token><suffix>`` in the imports folder."""

    def __init__(self, session_key: str, *, prefix: str, suffix: str) -> None:
        self.session_key = session_key
        self.prefix = prefix
        self.suffix = suffix

    def _folder(self) -> Path:
        folder = Path(current_app.instance_path) / FOLDER
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def _path(self, token: str) -> Path:
        return self._folder() / f"{self.prefix}{token}{self.suffix}"

    def keep(self, data: bytes, filename: str, **extra: Any) -> None:
        """Keep ``data`` for this browser session, replacing any earlier upload."""
        cutoff = (utcnow() - KEEP_FOR).timestamp()
        for old in self._folder().glob(f"{self.prefix}*{self.suffix}"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        self.forget()
        token = secrets.token_hex(16)
        self._path(token).write_bytes(data)
        browser_session[self.session_key] = {
            "token": token,
            "filename": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            **extra,
        }

    def pending(self) -> tuple[dict[str, Any], bytes] | None:
        """The kept upload and its bytes, or None if there is none or it has changed."""
        pending = browser_session.get(self.session_key)
        if not isinstance(pending, dict) or not str(pending.get("token", "")).isalnum():
            return None
        path = self._path(pending["token"])
        if not path.is_file():
            return None
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != pending.get("sha256"):
            self.forget()  # changed since it was checked: never import what was not checked
            return None
        return pending, data

    def forget(self) -> None:
        pending = browser_session.pop(self.session_key, None)
        if isinstance(pending, dict) and str(pending.get("token", "")).isalnum():
            self._path(pending["token"]).unlink(missing_ok=True)
