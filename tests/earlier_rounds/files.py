"""A tiny set of earlier-rounds files, for the tests that import one round of their own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_folder
from portal.earlier_rounds.imports import ImportReport

HEADERS = {
    "rounds": "round,year_label,starts_on,ends_on,funder,grant_pounds",
    "contractors": "contractor,contact_email",
    "contracts": "round,contractor,contract_value_pounds,spend_to_date_pounds,spend_recorded_on",
    "cohorts": "cohort,round,name,contractor,basis,basis_value,delivery,districts,confirmed_on",
    "sessions": "cohort,session,date,start_time,length_minutes,status,themes",
    "participants": "participant,round,cohort,name,email,business_name,company_number,postcode,"
    "district,sector,issues,accepted_on,left_on,left_reason,one_to_one_hours",
    "attendance": "participant,session,hours",
    "survey_invitations": "participant,timing,invited_on,responded_on,mode",
    "survey_answers": "participant,timing,measure,answer",
    "case_studies": "participant,status,title,named,uses,consent_given_on,consent_years,"
    "published_on,quote",
}


def tiny() -> dict[str, list[str]]:
    """One round, one cohort of three sessions, three people: Ann completes and answers,
    Ben withdraws after the first session and does not answer, Cat never comes."""
    return {
        "rounds": ['Round 9,2019-20,2019-09-01,2020-03-31,A funder,"100,000"'],
        "contractors": ["Ribble Coaching Ltd,hello@ribble.example"],
        "contracts": ["Round 9,Ribble Coaching Ltd,90000,,"],
        "cohorts": [
            "T-1,Round 9,Cohort 1: Makers of Preston,Ribble Coaching Ltd,sector,C,"
            "in_person,preston,2019-10-01"
        ],
        "sessions": [
            "T-1,1,2019-10-15,09:30,180,held,staffing;finance",
            "T-1,2,2019-10-29,09:30,180,,",
            "T-1,3,2019-11-12,09:30,180,cancelled,",
        ],
        "participants": [
            "T-P1,Round 9,T-1,Ann Ashworth,ann@ashworth.example,Ashworth Foods Ltd,01234567,"
            "PR1 2HE,preston,C,staffing,2019-10-05,,,1.5",
            "T-P2,Round 9,T-1,Ben Booth,ben@booth.example,Booth Joinery,,PR2 3AB,preston,F,,"
            "2019-10-06,2019-10-20,Too busy,",
            "T-P3,Round 9,T-1,Cat Clarke,cat@clarke.example,Clarke Bakes,,PR2 4AB,preston,I,,"
            "2019-10-07,2019-10-10,Business sold,",
        ],
        "attendance": ["T-P1,1,", "T-P1,2,2.5", "T-P2,1,"],
        "survey_invitations": [
            "T-P1,exit,2019-10-30,2019-11-02,paper",
            "T-P2,exit,2019-10-20,,",
        ],
        "survey_answers": [
            "T-P1,exit,overall_satisfaction,Very satisfied",
            "T-P1,exit,would_recommend,9",
            "T-P1,exit,improvements,=SUM(A1:A2) more time please",
            "T-P1,exit,actions_detail,",
        ],
        "case_studies": [
            "T-P1,published,Ashworth Foods grows,yes,website;reports,2019-12-01,5,2019-12-15,"
            '"-it changed how I run the place"',
        ],
    }


def write_files(folder: Path, sheets: dict[str, list[str]], *, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, lines in sheets.items():
        header = HEADERS.get(sheet, "")
        (folder / f"{sheet}.csv").write_bytes("\n".join([header, *lines, ""]).encode(encoding))
    return folder


def check(session: Session, folder: Path) -> ImportReport:
    """The dry run of the files in ``folder``."""
    report = imports.check(session, read_folder(folder), folder.name, now=utcnow())
    session.rollback()
    return report


def messages(report: ImportReport) -> list[str]:
    return [str(problem) for problem in report.problems]
