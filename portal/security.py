"""Security baseline: CSRF on every state-changing request, security headers, ProxyFix.

CSRF is checked here rather than by Flask-WTF's default hook so that a failed check can
keep what the person typed: the request carries on to the view, whose form fails
validation and is shown again with a clear message, and the unit of work is marked failed
so nothing the view did is kept. A view that does not show a form gets the error page.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import db
from portal.extensions import csrf

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def init_app(app: Flask) -> None:
    if any(app.config[key] for key in ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST")):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
            x_host=app.config["PROXY_FIX_X_HOST"],
        )
    app.before_request(_make_csp_nonce)
    app.before_request(_check_csrf)
    app.after_request(_refuse_success_after_csrf_failure)
    app.after_request(_set_security_headers)


def csp_nonce() -> str:
    """This response's nonce for the one inline script the GOV.UK template needs."""
    return str(g.get("csp_nonce", ""))


def csrf_failed() -> bool:
    return bool(g.get("csrf_failure"))


def _make_csp_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(18)


def _check_csrf() -> None:
    if request.method in _SAFE_METHODS or request.endpoint == "static":
        return
    try:
        csrf.protect()
    except CSRFError as error:
        g.csrf_failure = error.description
        db.mark_failed()


def _refuse_success_after_csrf_failure(response: Response) -> Response:
    # A view that ignored its form's failed CSRF check must not look as if it worked.
    if csrf_failed() and response.status_code < 400:
        from portal.errors import render_error_page

        return render_error_page(400, csrf=True)
    return response


def _set_security_headers(response: Response) -> Response:
    nonce = csp_nonce()
    policy = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    headers = response.headers
    headers.setdefault("Content-Security-Policy", "; ".join(policy))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if current_app.config["ENVIRONMENT"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        # Pages may show personal data: never keep them in shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response
