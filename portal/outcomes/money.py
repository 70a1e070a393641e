"""Contractors' contracts and spend per round: the money behind each round's cost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.auth.models import Contractor, User
from portal.db import found_or_404
from portal.db_base import utcnow
from portal.outcomes.models import ContractorContract, SupersededSpend
from portal.rounds.models import Round


@dataclass(frozen=True)
class ContractLine:
    contractor: Contractor
    contract: ContractorContract | None


def contract_lines(session: Session, programme_round: Round) -> list[ContractLine]:
    """Every active contractor, and every contractor with a contract in the round, by name."""
    contracts = {
        c.contractor_id: c
        for c in session.scalars(
            select(ContractorContract).where(ContractorContract.round_id == programme_round.id)
        )
    }
    contractors = session.scalars(select(Contractor).order_by(Contractor.name)).all()
    return [
        ContractLine(contractor, contracts.get(contractor.id))
        for contractor in contractors
        if contractor.is_active or contractor.id in contracts
    ]


def totals(lines: list[ContractLine]) -> tuple[int, int | None]:
    """(total contract value, total spend to date or None when no spend has been entered)."""
    contracts = [line.contract for line in lines if line.contract is not None]
    spends = [c.spend_to_date_pence for c in contracts if c.spend_to_date_pence is not None]
    return sum(c.contract_value_pence for c in contracts), (sum(spends) if spends else None)


def get_contractor(session: Session, contractor_id: int) -> Contractor:
    return found_or_404(session, Contractor, contractor_id)


def find_contract(
    session: Session, programme_round: Round, contractor: Contractor
) -> ContractorContract | None:
    return session.scalars(
        select(ContractorContract).where(
            ContractorContract.round_id == programme_round.id,
            ContractorContract.contractor_id == contractor.id,
        )
    ).one_or_none()


def save_contract(
    session: Session,
    programme_round: Round,
    contractor: Contractor,
    *,
    contract_value_pence: int,
    spend_to_date_pence: int | None,
    today: dt.date,
    actor: User | None,
) -> ContractorContract:
    """Add or change a contractor's contract value and spend to date in a round.

    Side effects: flushes the contract and an audit event naming the fields that changed.
    """
    if contract_value_pence < 0 or (spend_to_date_pence is not None and spend_to_date_pence < 0):
        raise ValueError("Amounts of money cannot be negative")
    contract = find_contract(session, programme_round, contractor)
    if contract is None:
        contract = ContractorContract(round_id=programme_round.id, contractor_id=contractor.id)
        session.add(contract)
        action, changed = "contract.added", ["contract_value_pence"]
        if spend_to_date_pence is not None:
            changed.append("spend_to_date_pence")
    else:
        action = "contract.changed"
        changed = [
            name
            for name, value in (
                ("contract_value_pence", contract_value_pence),
                ("spend_to_date_pence", spend_to_date_pence),
            )
            if getattr(contract, name) != value
        ]
    if "spend_to_date_pence" in changed:
        if contract.spend_recorded_on is not None:
            # Kept: the round's cost as at an earlier date uses the spend recorded by then.
            session.add(
                SupersededSpend(
                    contract_id=contract.id,
                    spend_to_date_pence=contract.spend_to_date_pence,
                    spend_recorded_on=contract.spend_recorded_on,
                )
            )
        contract.spend_recorded_on = today
    contract.contract_value_pence = contract_value_pence
    contract.spend_to_date_pence = spend_to_date_pence
    contract.updated_at = utcnow()
    session.flush()
    if changed:
        audit.record(
            session,
            actor=actor,
            action=action,
            entity_type="contractor_contract",
            entity_id=contract.id,
            fields=changed,
        )
    return contract
