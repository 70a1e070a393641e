"""Administrators' changes to the reference lists: add, reword, retire and restore.

Items are retired, never deleted, so old records keep their meaning; an item's code never
changes once it exists. Every change is recorded in the audit log. Functions flush and
never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.audit import services as audit
from portal.auth.models import User
from portal.db import violated_constraint
from portal.db_base import utcnow
from portal.reference.models import ReferenceItem, ReferenceKind

CODE_CONSTRAINT = "uq_reference_item_kind_code"
CODE_MAX_LENGTH = 60
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class ListCounts:
    kind: ReferenceKind
    active: int
    retired: int


class DuplicateCode(Exception):
    """The list already has an item with this code (active or retired)."""


def code_from_label(label: str) -> str:
    """A code made from a label: 'Supply chain & logistics' -> 'supply-chain-logistics'."""
    code = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return code[:CODE_MAX_LENGTH].rstrip("-")


def list_counts(session: Session) -> list[ListCounts]:
    """Every list with how many of its items are active and retired."""
    rows = session.execute(
        select(
            ReferenceItem.kind,
            func.count().filter(ReferenceItem.retired_at.is_(None)),
            func.count().filter(ReferenceItem.retired_at.is_not(None)),
        ).group_by(ReferenceItem.kind)
    ).all()
    counts = {kind: (active, retired) for kind, active, retired in rows}
    return [ListCounts(kind, *counts.get(kind, (0, 0))) for kind in ReferenceKind]


def items_of(session: Session, kind: ReferenceKind) -> list[ReferenceItem]:
    """Every item of a list, active and retired, in list order."""
    return list(
        session.scalars(
            select(ReferenceItem)
            .where(ReferenceItem.kind == kind)
            .order_by(ReferenceItem.position, ReferenceItem.label, ReferenceItem.id)
        )
    )


def get_item(session: Session, kind: ReferenceKind, item_id: int) -> ReferenceItem:
    """The item of this list with this id; raises NotFound (a 404 page) otherwise."""
    item = session.get(ReferenceItem, item_id)
    if item is None or item.kind != kind:
        raise NotFound()
    return item


def add_item(
    session: Session,
    *,
    actor: User | None,
    kind: ReferenceKind,
    label: str,
    code: str = "",
    note: str = "",
) -> ReferenceItem:
    """Add an item at the end of its list; the code is made from the label if not given.

    Raises DuplicateCode if the list has the code already. Side effects: flushes the
    item and a "reference.item_added" audit event.
    """
    last = session.scalar(
        select(func.max(ReferenceItem.position)).where(ReferenceItem.kind == kind)
    )
    item = ReferenceItem(
        kind=kind,
        code=code or code_from_label(label),
        label=label,
        note=note,
        position=(last if last is not None else -1) + 1,
    )
    try:
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError as error:
        if violated_constraint(error) == CODE_CONSTRAINT:
            raise DuplicateCode(item.code) from error
        raise
    _record(session, actor, "reference.item_added", item, ["code", "kind", "label", "note"])
    return item


def rename_item(
    session: Session, item: ReferenceItem, *, actor: User | None, label: str, note: str
) -> list[str]:
    """Reword an item's label and note (its code never changes). Returns what changed.

    Side effects: flushes the item and, if anything changed, a "reference.item_renamed"
    audit event.
    """
    changed = [
        name for name, value in (("label", label), ("note", note)) if getattr(item, name) != value
    ]
    if not changed:
        return []
    item.label = label
    item.note = note
    session.flush()
    _record(session, actor, "reference.item_renamed", item, changed)
    return changed


def retire_item(session: Session, item: ReferenceItem, *, actor: User | None) -> None:
    """Stop offering an item in new forms. Records that used it keep it.

    Side effects: flushes the item and a "reference.item_retired" audit event.
    """
    if item.retired_at is not None:
        return
    item.retired_at = utcnow()
    session.flush()
    _record(session, actor, "reference.item_retired", item, ["retired_at"])


def restore_item(session: Session, item: ReferenceItem, *, actor: User | None) -> None:
    """Offer a retired item again.

    Side effects: flushes the item and a "reference.item_restored" audit event.
    """
    if item.retired_at is None:
        return
    item.retired_at = None
    session.flush()
    _record(session, actor, "reference.item_restored", item, ["retired_at"])


def _record(
    session: Session, actor: User | None, action: str, item: ReferenceItem, fields: list[str]
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="reference_item",
        entity_id=item.id,
        fields=fields,
    )
