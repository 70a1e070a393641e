"""What the sample earlier-rounds files are made of: names, places, sectors, contractors,
start dates and free-text answers, and the plans the generator fills in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from portal.reference.shipped import shipped_codes


def _words(text: str) -> list[str]:
    return text.split()


SEED = 20220210
AS_AT = dt.date(2022, 2, 10)
BEIS = "Department for Business, Energy and Industrial Strategy"

FIRST_NAMES = _words(
    """Aaliyah Aaron Abdul Adam Aisha Alan Alex Alice Alison Amanda Amir Amy Andrew Angela
Anil Anna Anthony Asif Barbara Ben Bethany Bilal Bradley Carl Caroline Catherine Charlotte Chris
Claire Craig Daniel Darren Dave David Dawn Debbie Deepa Dominic Donna Ellie Emily Emma Faisal
Farah Fiona Gary Gemma Georgia Graham Hannah Harpreet Hassan Heather Helen Ian Imran Irfan Jack
Jade James Jane Jason Jennifer Joanne John Jonathan Julie Karen Kate Kieran Krystyna Laura Lee
Leanne Lisa Louise Lucy Mandeep Marek Mark Martin Matthew Michael Michelle Mohammed Nadia Naveed
Neil Nicola Nina Oliver Paul Priya Rachel Rebecca Richard Rizwan Rob Ruth Ryan Saima Sally Sam
Sarah Shabana Sharon Simon Sophie Stephen Stuart Sunil Tariq Thomas Tom Tracey Usman Vicky Wendy
Yasmin Zara Zoe"""
)
SURNAMES = _words(
    """Ahmed Ainsworth Ali Ashworth Aspinall Atherton Barker Barnes Baxter Birtwistle Bond
Booth Bradshaw Brennan Briggs Brown Butterworth Carr Chadwick Clarke Collins Cooper Cross Dawson
Dewhurst Dixon Duckworth Eastham Entwistle Evans Fielding Fletcher Foster Gardner Gill Gregson
Hacking Haworth Heaton Hesketh Hindle Holden Hough Houghton Howarth Hughes Hussain Iqbal Jackson
Jones Kay Kenyon Khan Kowalski Lancaster Lawrenson Leach Lomax Mahmood Marsden Mason Mistry
Moorhouse Nelson Nowak Nuttall Ormerod Parkinson Patel Pickup Pilling Pollard Porter Rawcliffe
Riley Rishton Roberts Robinson Sagar Sharples Shaw Singh Slater Smith Stott Sutcliffe Taylor
Thompson Tomlinson Walmsley Walsh Wareing Whittaker Wilkinson Wood Worden Yates"""
)

# District code -> (place names, postcode districts).
DISTRICTS = {
    "preston": (["Preston", "Fulwood", "Ribbleton"], ["PR1", "PR2"]),
    "south-ribble": (["Leyland", "Penwortham", "Bamber Bridge"], ["PR25", "PR26", "PR5"]),
    "chorley": (["Chorley", "Euxton", "Adlington"], ["PR6", "PR7"]),
    "west-lancashire": (["Ormskirk", "Skelmersdale", "Burscough"], ["L39", "WN8", "L40"]),
    "fylde": (["Lytham", "St Annes", "Kirkham"], ["FY8", "PR4"]),
    "blackpool": (["Blackpool", "Bispham", "South Shore"], ["FY1", "FY2", "FY3", "FY4"]),
    "wyre": (["Poulton", "Fleetwood", "Garstang", "Thornton"], ["FY6", "FY7", "PR3", "FY5"]),
    "lancaster": (["Lancaster", "Morecambe", "Carnforth"], ["LA1", "LA3", "LA4", "LA5"]),
    "ribble-valley": (["Clitheroe", "Whalley", "Longridge"], ["BB7", "PR3"]),
    "blackburn-with-darwen": (["Blackburn", "Darwen"], ["BB1", "BB2", "BB3"]),
    "hyndburn": (["Accrington", "Oswaldtwistle", "Great Harwood"], ["BB5", "BB6"]),
    "burnley": (["Burnley", "Padiham"], ["BB10", "BB11", "BB12"]),
    "pendle": (["Nelson", "Colne", "Barnoldswick"], ["BB9", "BB8", "BB18"]),
    "rossendale": (["Rawtenstall", "Bacup", "Haslingden"], ["BB4"]),
}
AREAS = [
    ["preston", "south-ribble", "chorley"],
    ["blackburn-with-darwen", "hyndburn", "ribble-valley"],
    ["burnley", "pendle", "rossendale"],
    ["blackpool", "fylde", "wyre"],
    ["lancaster", "wyre"],
    ["west-lancashire", "chorley", "south-ribble"],
    ["preston", "fylde", "ribble-valley"],
]
# Sector code -> (trade words for business names, weight among businesses).
SECTORS = {
    "C": (["Engineering", "Fabrications", "Precision", "Plastics", "Textiles", "Foods"], 16),
    "F": (["Building", "Joinery", "Roofing", "Electrical", "Plumbing & Heating"], 12),
    "G": (["Home & Garden", "Wine Merchants", "Cycles", "Pet Supplies", "Interiors"], 12),
    "I": (["Tea Rooms", "Kitchen", "Hotel", "Bakehouse", "Bistro", "Brewery Tap"], 12),
    "J": (["Digital", "Software", "Web Studio", "IT Support", "Media"], 11),
    "M": (["Accountancy", "Architects", "Marketing", "Consulting", "Surveyors"], 12),
    "N": (["Cleaning Services", "Recruitment", "Facilities", "Events"], 7),
    "H": (["Logistics", "Haulage", "Couriers", "Removals"], 6),
    "Q": (["Care Services", "Physiotherapy", "Dental Practice", "Home Care"], 6),
    "R": (["Fitness", "Dance Studio", "Gallery", "Climbing Centre"], 3),
    "S": (["Hair & Beauty", "Tailoring", "Dry Cleaners", "Barbers"], 3),
}
ISSUES = list(shipped_codes("issues.csv"))
# The exit survey names COVID-19 differently from the reference list.
SURVEY_ISSUE = {"covid-response": "covid-19"}
ORGANISATIONS = list(shipped_codes("business-organisations.csv"))
OWNERSHIP = ["women_led", "family_owned", "ethnic_minority_led", "social_enterprise"]
CONTRACTORS = [
    "Ribble Business Coaching Ltd",
    "Pennine Leadership Partnership",
    "Fylde Coast Enterprise Agency",
    "Lune Valley Consulting Ltd",
    "Red Rose Growth Associates",
    "Pendle Business Support CIC",
    "Bowland Action Learning Ltd",
    "Blackpool & Wyre Business Network",
    "Preston Leadership Academy Ltd",
    "West Lancs Business Hub Ltd",
    "Rossendale Enterprise Trust",
    "Hyndburn Growth Partners LLP",
    "Chorley Business Mentors Ltd",
    "Morecambe Bay Business Consulting",
    "Calder Valley Peer Learning Ltd",
    "East Lancashire Leadership Centre",
    "Darwen Valley Consulting Ltd",
]
# Contractors by index: Round 1's twelve; Round 2's fifteen delivering by the report date,
# the one whose only cohort started after it, and the one whose only cohort was cancelled.
ROUND_1_CONTRACTORS = list(range(12))
ROUND_2_DELIVERING = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15]
ROUND_2_LATE_ONLY = 16
ROUND_2_CANCELLED_ONLY = 7

ROUND_1_STARTS = _words(
    """2020-10-06 2020-10-08 2020-10-13 2020-10-15 2020-10-20 2020-10-22 2020-10-27
2020-11-03 2020-11-05 2020-11-10 2020-11-12 2020-11-17 2020-11-19 2020-11-24 2020-11-26
2020-12-01 2020-12-03 2020-12-08 2020-12-10 2021-01-05 2021-01-06 2021-01-07 2021-01-12
2021-01-13 2021-01-14 2021-01-19 2021-01-20 2021-01-21w 2021-02-02w 2021-02-04w
2021-02-09w"""
)
ROUND_2_STARTS = _words(
    """2021-09-07 2021-09-09 2021-09-14 2021-09-21 2021-09-28 2021-10-05 2021-10-07
2021-10-12 2021-10-19 2021-11-02 2021-11-04 2021-11-09 2021-11-16 2021-11-23 2021-12-01
2021-12-07 2022-01-11 2022-01-13 2022-01-18 2022-01-25w 2022-01-27w 2022-02-03w
2022-02-10w"""
)
ROUND_2_LATE_STARTS = ["2022-02-15w", "2022-02-17w", "2022-02-22w"]
ROUND_ENDS = {"Round 1": dt.date(2021, 3, 31), "Round 2": dt.date(2022, 3, 31)}

TEXT_IMPROVEMENTS = [
    "More time for the hot-seat part of each session.",
    "- meet in person at least once\n- share contact details earlier",
    "Sessions in the evening would suit people who run shops.",
    "=the group itself was the best part, keep it",
    "Shorter gaps between sessions over Christmas.",
    "A reunion session six months on.",
    "+1 for a session on exporting after the EU transition.",
]
TEXT_ACTIONS = [
    "Wrote our first proper business plan with targets for the year.",
    "Moved stock control onto a cloud system and cut waste.",
    "Took on an apprentice and set up monthly one-to-ones with the team.",
    "Renegotiated terms with our two biggest suppliers.",
    "Started quoting for work in Ireland and the Netherlands.",
    "Put prices up by 8% after the group challenged my costing.",
]


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Session:
    number: int
    starts: dt.datetime  # London time
    minutes: int
    themes: list[str]

    @property
    def ends(self) -> dt.datetime:
        return self.starts + dt.timedelta(minutes=self.minutes)

    @property
    def day(self) -> dt.date:
        return self.starts.date()


@dataclass
class CohortPlan:
    key: str
    round: str
    name: str
    contractor: int
    basis: str
    basis_value: str
    delivery: str
    districts: list[str]
    venue: str
    confirmed_on: dt.date
    sessions: list[Session] = field(default_factory=list)
    cancelled_on: dt.date | None = None


@dataclass
class Business:
    name: str
    company_number: str
    postcode: str
    district: str
    sector: str


@dataclass
class PersonPlan:
    key: str
    round: str
    cohort: CohortPlan
    name: str
    email: str
    role: str
    business: Business
    issues: list[str]
    applied_on: dt.date
    accepted_on: dt.date
    # Session number -> hours (None: the whole session).
    attended: dict[int, Decimal | None] = field(default_factory=dict)
    left_on: dt.date | None = None
    left_reason: str = ""
    one_to_one_hours: Decimal | None = None
