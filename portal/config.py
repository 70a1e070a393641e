"""Configuration: defaults here, then ``instance/config.py``, then ``PORTAL_*`` variables.

Every setting is listed in docs/configuration.md. Nothing here is a secret:
``SECRET_KEY`` has no default, and the app refuses to start without a real one.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Config, Flask

# Keys that look like placeholders: a deployment that copied one of these is not secret.
_PLACEHOLDER_KEYS = {"dev", "secret", "changeme", "change-me", "development", "test"}
MINIMUM_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


DEFAULTS: dict[str, Any] = {
    # "production" or "development". Production is the default, so a forgotten setting
    # fails safe: secure cookies and HSTS.
    "ENVIRONMENT": "production",
    "SERVICE_NAME": "Boost Peer Networks",
    "HUB_NAME": "Boost – Lancashire's Business Growth Hub",
    "HUB_AREA": "Lancashire",
    "COUNCIL_NAME": "Lancashire County Council",
    "CONTACT_EMAIL": "peernetworks@example.org.uk",
    "CONTACT_PHONE": "0300 123 6701",
    "DATA_PROTECTION_OFFICER_EMAIL": "dpo@example.org.uk",
    # Used for every link built outside a request (emails sent by commands and jobs).
    "BASE_URL": "http://127.0.0.1:5000",
    "DATABASE_URL": None,  # None means sqlite:///<instance>/portal.sqlite3
    "SQLITE_BUSY_TIMEOUT_MS": 15_000,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 500 * 1024,
    "PROXY_FIX_X_FOR": 0,  # number of proxies in front of the app; 0 turns ProxyFix off
    "PROXY_FIX_X_PROTO": 0,
    "PROXY_FIX_X_HOST": 0,
    # CSRF tokens live as long as the session: they must not expire mid-form.
    "WTF_CSRF_TIME_LIMIT": None,
    # CSRF is checked in portal.security so that a failed check can keep what was typed.
    "WTF_CSRF_CHECK_DEFAULT": False,
    "SESSION_COOKIE_NAME": "portal_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # None: follow ENVIRONMENT (secure cookies and https links in production).
    "SESSION_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_SECURE": None,
    "PREFERRED_URL_SCHEME": None,
    # Sessions end after this long without a request (with a warning first), and in any case
    # after SESSION_MAX_HOURS.
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    # Sign-in throttling (Flask-Limiter). memory:// suits one process; use a Redis URL
    # (redis://127.0.0.1:6379/0) when several app servers run.
    "RATELIMIT_STORAGE_URI": "memory://",
    "SIGN_IN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "SIGN_IN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "EMAIL_LIMIT_PER_ADDRESS": "10 per hour",
    # Argon2id cost. The defaults follow RFC 9106's second recommended option.
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_KIB": 65536,
    "PASSWORD_MIN_LENGTH": 12,
    # How long emailed links work, in hours.
    "VERIFY_EMAIL_LINK_HOURS": 24,
    "RESET_PASSWORD_LINK_HOURS": 1,
    "INVITATION_LINK_HOURS": 7 * 24,
    # How long a survey invitation's personal link works.
    "SURVEY_LINK_DAYS": 30,
    "MAIL_SERVER": None,  # None: messages are written to instance/mail/ and the console
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Boost Peer Networks <no-reply@example.org.uk>",
    # Without MAIL_SERVER, each email is written here as an .eml file. None: <instance>/mail.
    "MAIL_FOLDER": None,
    # Seconds to wait for the mail server before counting the attempt as failed.
    "MAIL_TIMEOUT_SECONDS": 30,
    # A failed send is tried again after this many seconds, doubling each time (1, 2, 4,
    # 8 and 16 minutes), and marked failed for an administrator after MAIL_MAX_ATTEMPTS.
    "MAIL_RETRY_BASE_SECONDS": 60,
    "MAIL_MAX_ATTEMPTS": 6,
    # Messages to groups (portal.messages): the most people one message may go to, so a slip
    # cannot email everyone at once.
    "MESSAGE_MAX_RECIPIENTS": 500,
    "TIMEZONE": "Europe/London",
    # How long personal data is kept, per kind of record: {} keeps the defaults in
    # portal/privacy/retention.py (participants_years 6, applicants_years 2,
    # unused_accounts_days 730, emails_days 365); give only the ones to change.
    "RETENTION": {},
    # Log lines at this level and above go to standard error (see portal.operations.logs).
    "LOG_LEVEL": "INFO",
    # "text" (one readable line each) or "json" (one JSON object per line, for log collectors).
    "LOG_FORMAT": "text",
    # /metrics answers only requests with "Authorization: Bearer <this>"; None: no /metrics.
    "METRICS_TOKEN": None,
    # Where the "other help" offered to people who cannot take part points (see
    # portal.registration.eligibility.signposting). A missing key shows no link.
    "HELP_LINKS": {
        "local_growth_hub": "https://www.gov.uk/business-support-helpline",
        "national_business_support": "https://www.gov.uk/business-finance-support",
        "start_up_support": "https://www.gov.uk/set-up-business",
        "growth_hub_support": "https://www.lancashirebusinessboost.co.uk/",
        "peer_networks_information": "/",
    },
    # The background task queue (huey): unset keeps it in <instance>/tasks.sqlite3 (no service
    # needed); a Redis URL (redis://127.0.0.1:6379/1) when several servers run.
    "TASK_QUEUE_URL": None,
    # The queue's name: two portals sharing one Redis need different names.
    "TASK_QUEUE_NAME": "portal",
    # Tasks one `flask portal worker` runs at once (threads).
    "TASK_WORKERS": 2,
    # Importing applicants from a partner's file: the most rows and bytes one file may have.
    "APPLICANT_IMPORT_MAX_ROWS": 2_000,
    "APPLICANT_IMPORT_MAX_BYTES": 2 * 1024 * 1024,
}


def read(config: Config, test_config: dict[str, Any] | None = None) -> None:
    """Fill ``config`` from the defaults, then the instance file and the environment (or
    ``test_config`` instead of those two)."""
    config.from_mapping(DEFAULTS)
    if test_config is None:
        config.from_pyfile("config.py", silent=True)
        config.from_prefixed_env("PORTAL")
        # DATABASE_URL is the name every platform uses, so it is read without the prefix too.
        if os.environ.get("DATABASE_URL") and not os.environ.get("PORTAL_DATABASE_URL"):
            config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        config.from_mapping(test_config)


def check_web_workers(config: dict[str, Any], workers: int) -> None:
    """Refuse to serve in production with sign-in attempts counted in each process's own
    memory when there is more than one web worker: each would allow the limit again."""
    if config["ENVIRONMENT"] != "production" or workers <= 1:
        return
    if str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI is memory://, so each of the {workers} web workers would "
            "count sign-in attempts on its own. Set PORTAL_RATELIMIT_STORAGE_URI to a Redis "
            "URL (redis://127.0.0.1:6379/0), or run one web worker (PORTAL_WORKERS=1)."
        )


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from the defaults, the instance file and the environment.

    Raises ``ConfigError`` when the result is unsafe to run.
    """
    read(app.config, test_config)

    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = (
            f"sqlite:///{os.path.join(app.instance_path, 'portal.sqlite3')}"
        )
    is_production = app.config["ENVIRONMENT"] == "production"
    for key, value in {
        "SESSION_COOKIE_SECURE": is_production,
        "REMEMBER_COOKIE_SECURE": is_production,
        "PREFERRED_URL_SCHEME": "https" if is_production else "http",
    }.items():
        if app.config[key] is None:
            app.config[key] = value
    check(app.config)


def check(config: dict[str, Any]) -> None:
    """Refuse settings that would make the portal unsafe."""
    if config["ENVIRONMENT"] not in {"production", "development"}:
        raise ConfigError("ENVIRONMENT must be 'production' or 'development'.")
    key = config.get("SECRET_KEY")
    if not isinstance(key, str) or not key:
        raise ConfigError(
            "SECRET_KEY is not set. Set PORTAL_SECRET_KEY or put SECRET_KEY in "
            "instance/config.py (`make instance/config.py` makes one for development)."
        )
    if config.get("LOG_FORMAT") not in {"text", "json"}:
        raise ConfigError("LOG_FORMAT must be 'text' or 'json'.")
    if config.get("TESTING"):
        return
    if key.lower() in _PLACEHOLDER_KEYS or len(key) < MINIMUM_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY must be a random value of at least {MINIMUM_SECRET_KEY_LENGTH} "
            'characters, for example from `python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"`.'
        )
