"""Sign in to a running portal through the real sign-in form, for the security scan.

Goes through the same steps as a person: GET /sign-in for the CSRF token, POST the email
address and password, and, when the account has two-factor sign-in, POST a current TOTP
code to /sign-in/security-code. Demo accounts' keys come from ``portal.auth.demo`` (the
same function that made them), so this only works against a database loaded with
``flask --app wsgi portal demo-data``.

Writes the session cookie for the scanners:

- ``--cookie-header FILE``: one line, ``portal_session=...`` (for ``sqlmap --cookie``);
- ``--wapiti-cookie FILE``: wapiti's JSON cookie file (``wapiti -c FILE``).

``--submit PAGE ACTION`` (repeatable) then posts a one-button form found on PAGE (its CSRF
token only) to ACTION, e.g. ``--submit /register/ /register/start`` to start an application,
and prints the address it lands on.

Standard library only (urllib and http.cookiejar), plus pyotp from the portal's venv.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pyotp

COOKIE_NAME = "portal_session"
USER_AGENT = "portal-security-scan/1.0 (sign-in helper)"


class _Forms(HTMLParser):
    """Every <form> on a page: its action, method and inputs (name -> value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = {
                "action": values.get("action", ""),
                "method": values.get("method", "get").lower(),
                "inputs": {},
            }
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and values.get("name"):
            self._current["inputs"].setdefault(values["name"], values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


class Browser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def url(self, path: str) -> str:
        return urllib.parse.urljoin(self.base_url + "/", path)

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, final URL after redirects, body). Error statuses are returned, not raised."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.url(path), data=body, timeout=60) as response:
                return response.status, response.geturl(), _text(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), _text(error.read())

    def form_on(self, page_html: str, page_url: str, action: str | None = None) -> dict:
        """The form posting to ACTION (the page itself when None) that carries a CSRF token."""
        parser = _Forms()
        parser.feed(page_html)
        wanted = urllib.parse.urlsplit(self.url(action or page_url)).path
        for form in parser.forms:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(page_url, form["action"])).path
            if form["method"] == "post" and target == wanted and "csrf_token" in form["inputs"]:
                return form
        raise SystemExit(f"No POST form to {wanted} with a csrf_token on {page_url}")

    def cookie(self) -> http.cookiejar.Cookie:
        for cookie in self.jar:
            if cookie.name == COOKIE_NAME:
                return cookie
        raise SystemExit(f"The portal set no {COOKIE_NAME} cookie")


def totp_secret_for(email: str, given: str | None) -> str | None:
    if given:
        return given
    try:
        from portal.auth.demo import PEOPLE, demo_totp_secret
    except ImportError:  # run outside the portal's venv
        return None
    if email in {person.email for person in PEOPLE}:
        return demo_totp_secret(email)
    return None


def sign_in(browser: Browser, email: str, password: str, secret: str | None) -> None:
    status, url, page = browser.request("/sign-in")
    if status != 200:
        raise SystemExit(f"GET /sign-in answered {status}")
    form = browser.form_on(page, url)
    fields = {**form["inputs"], "email": email, "password": password}
    status, url, page = browser.request("/sign-in", fields)
    path = urllib.parse.urlsplit(url).path
    if path == "/sign-in/security-code":
        if not secret:
            raise SystemExit(f"{email} needs a two-factor code; pass --totp-secret")
        for attempt in range(2):
            form = browser.form_on(page, url)
            code = pyotp.TOTP(secret).now()
            status, url, page = browser.request(
                "/sign-in/security-code", {**form["inputs"], "code": code}
            )
            path = urllib.parse.urlsplit(url).path
            if path != "/sign-in/security-code":
                break
            if attempt == 0:
                # The portal refuses a code used before (replay); wait for the next one.
                time.sleep(31 - time.time() % 30)
                status, url, page = browser.request("/sign-in/security-code")
    elif path == "/sign-in/set-up-two-factor":
        raise SystemExit(f"{email} has not set up two-factor sign-in; use a demo account")
    if path.startswith("/sign-in") or status >= 400:
        raise SystemExit(f"Signing in as {email} failed: {status} at {url}")
    status, url, page = browser.request("/account/")
    if status != 200 or urllib.parse.urlsplit(url).path != "/account/":
        raise SystemExit(f"After signing in as {email}, /account/ answered {status} at {url}")
    print(f"Signed in as {email}", file=sys.stderr)


def write_cookies(browser: Browser, header_file: Path | None, wapiti_file: Path | None) -> None:
    cookie = browser.cookie()
    if header_file:
        header_file.write_text(f"{cookie.name}={cookie.value}\n")
        header_file.chmod(0o600)
    if wapiti_file:
        host = urllib.parse.urlsplit(browser.base_url).hostname
        wapiti_file.write_text(
            json.dumps(
                {
                    host: {
                        "/": {
                            cookie.name: {
                                "value": cookie.value,
                                "expires": None,
                                "secure": False,
                                "port": None,
                                "version": 0,
                            }
                        }
                    }
                },
                indent=2,
            )
        )
        wapiti_file.chmod(0o600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:5000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", help="default: the demo password")
    parser.add_argument("--totp-secret", help="default: the demo account's key, if it has one")
    parser.add_argument("--cookie-header", type=Path)
    parser.add_argument("--wapiti-cookie", type=Path)
    parser.add_argument(
        "--submit", nargs=2, action="append", default=[], metavar=("PAGE", "ACTION")
    )
    args = parser.parse_args()

    password = args.password
    if password is None:
        from portal.auth.demo import DEMO_PASSWORD

        password = DEMO_PASSWORD
    browser = Browser(args.base_url)
    sign_in(browser, args.email, password, totp_secret_for(args.email, args.totp_secret))
    for page_path, action in args.submit:
        status, url, page = browser.request(page_path)
        form = browser.form_on(page, url, action)
        status, url, _ = browser.request(action, form["inputs"])
        if status >= 400:
            raise SystemExit(f"POST {action} answered {status}")
        print(urllib.parse.urlsplit(url).path)
    write_cookies(browser, args.cookie_header, args.wapiti_cookie)


if __name__ == "__main__":
    main()
