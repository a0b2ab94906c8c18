"""A minimal browser for tests against real servers (gunicorn on loopback): one cookie jar,
a fresh connection per request, forms sent URL-encoded; and :func:`serve_in_thread`, an
app served on a loopback port for a real browser (Chromium) to visit."""

import contextlib
import http.client
import threading
from urllib.parse import urlencode


@contextlib.contextmanager
def serve_in_thread(app, name):
    """Serve ``app`` on a free loopback port in a thread; yields its origin URL. On the
    way out the server stops and the app's search index and connections are closed."""
    from werkzeug.serving import make_server

    from blogapp.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        app.extensions["search"].close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class Browser:
    """One reader or writer: its own cookies, like a browser tab."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        """Return ``(status, body bytes)``, keeping the cookies the server sets."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            headers = dict(headers or {})
            body = None
            if form is not None:
                body = urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()
