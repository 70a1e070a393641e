"""Which email addresses are accepted: those the portal's email can reach."""

import pytest

from portal.email_addresses import EMAIL_FORMAT, NOT_ASCII, email_address_problem


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("sam@example.com", None),
        ("sam.o'neill+peer@example.co.uk", None),
        ("\u00fc@ex\u00e4mple.com", NOT_ASCII),
        ("\u00fc@example.com", NOT_ASCII),
        ("sam@ex\u00e4mple.com", NOT_ASCII),
        ("sam@example", EMAIL_FORMAT),
        ("not an address", EMAIL_FORMAT),
        ("", EMAIL_FORMAT),
    ],
)
def test_an_address_is_accepted_only_when_email_can_reach_it(address, problem):
    assert email_address_problem(address) == problem


def test_a_reserved_domain_is_named_in_the_reason():
    assert email_address_problem("ben@barker.test") == (
        "“barker.test” cannot receive email: addresses ending .test are reserved and never "
        "delivered. Enter an address the person receives email at"
    )
