"""Case studies: participants' stories (or facilitators' drafts for them) with consent,
officers' review and publication, and the public Stories page.

``init_app`` registers the job that unpublishes stories whose consent period has ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from portal.casestudies import services

    services.init_app(app)
