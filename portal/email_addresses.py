"""Which email addresses the portal accepts: those its email can reach (pure, no Flask).

Every form and both imports ask :func:`email_address_problem`, so an address is accepted or
refused the same way wherever it is typed or imported. Email goes out over plain SMTP, without
the SMTPUTF8 extension, so an address with characters outside ASCII (``ü@exämple.com``)
cannot be sent to: it is refused when it is typed, with the reason, rather than failing when
the email is sent. Addresses at names reserved for tests and examples (``.test``,
``.invalid``) never receive email, and are refused saying so.
"""

from __future__ import annotations

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
NOT_ASCII = (
    "Enter an email address that uses only the letters a to z, numbers and symbols. "
    "We cannot send email to addresses with accents or letters from other alphabets"
)


def email_address_problem(address: str) -> str | None:
    """None when email can be sent to ``address``; otherwise why not, as an error message."""
    if not address.isascii():
        return NOT_ASCII
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        domain = address.rpartition("@")[2].strip().rstrip(".").lower()
        ending = domain.rpartition(".")[2]
        if "@" in address and ending in SPECIAL_USE_DOMAIN_NAMES:
            return (
                f"“{domain}” cannot receive email: addresses ending .{ending} are reserved "
                "and never delivered. Enter an address the person receives email at"
            )
        return EMAIL_FORMAT
    return None
