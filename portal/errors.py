"""Error pages: every failure the person can meet gets a designed page in plain English."""

from __future__ import annotations

from flask import Flask, Response, current_app, make_response, render_template
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from portal.operations.requests import route_name
from portal.state_changes import StatusConflict

# Codes with a page of their own; any other client error uses the 400 page's wording.
_PAGES = {400, 403, 404, 405, 409, 413, 429, 500, 503}


def render_error_page(code: int, *, csrf: bool = False) -> Response:
    template = f"errors/{code if code in _PAGES else (500 if code >= 500 else 400)}.html"
    return make_response(render_template(template, code=code, csrf=csrf), code)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StatusConflict, _status_conflict)
    app.register_error_handler(Exception, _unexpected_error)


def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    response = render_error_page(code)
    if code == 405 and error.get_response().headers.get("Allow"):
        response.headers["Allow"] = error.get_response().headers["Allow"]
    if code == 429 and error.get_response().headers.get("Retry-After"):
        response.headers["Retry-After"] = error.get_response().headers["Retry-After"]
    return response


def _status_conflict(_error: StatusConflict) -> Response:
    """A status change lost a race that its view does not show a page of its own for: the
    request changes nothing (409 rolls it back) and the person is asked to look again."""
    return render_error_page(409)


def database_unavailable(error: BaseException) -> bool:
    """True when the database could not do the work: down, restarted mid-request, full, or
    read-only. The person is told the service is unavailable and nothing was saved (503),
    rather than shown the generic error page."""
    return isinstance(error, (OperationalError, InterfaceError))


def unavailable_page() -> Response:
    response = render_error_page(ServiceUnavailable.code)
    response.headers["Retry-After"] = "60"
    return response


def _unexpected_error(error: Exception) -> Response:
    # A handler for Exception stops Flask logging it, so the traceback is logged here.
    # The route, not the path: paths can hold tokens and names (portal.operations.requests).
    current_app.logger.error("Unexpected error on %s", route_name(), exc_info=error)
    if database_unavailable(error):
        return unavailable_page()
    return render_error_page(InternalServerError.code)
