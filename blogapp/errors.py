"""Error pages: HTML for people, JSON for ``/api/`` clients; never a traceback."""

from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: _("请求无效。"),
    403: _("你没有权限访问这个页面。"),
    404: _("页面不存在。"),
    405: _("不支持这种请求方法。"),
    413: _("提交的内容太大。"),
    429: _("请求太频繁，请稍后再试。"),
    500: _("服务器出错了，请稍后再试。"),
}


def _message(error):
    # Werkzeug's generic English descriptions give way to ours; an abort() text is kept.
    # Messages may be lazy translations: resolved here, in the request's language.
    if error.description and error.description != type(error).description:
        return str(error.description)
    return str(MESSAGES.get(error.code, error.name))


def handle_http_error(error):
    message = _message(error)
    if request.path.startswith("/api/"):
        response = make_response(jsonify(error=message, status=error.code), error.code)
    else:
        page = render_template("errors/error.html", code=error.code, message=message)
        response = make_response(page, error.code)
    # Keep headers the error carries, such as Retry-After or Allow.
    for key, value in error.get_headers():
        if key.lower() != "content-type":
            response.headers[key] = value
    return response


def handle_unexpected(error):
    """Log the traceback and answer with a clean 500 page."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("unhandled error on %s", request.path)
    return handle_http_error(InternalServerError())


def init_app(app):
    app.register_error_handler(HTTPException, handle_http_error)
    # Under TESTING exceptions propagate so a test sees the real traceback.
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
