"""A minimal browser for tests against real servers (gunicorn on loopback): one cookie jar,
a fresh connection per request, forms sent URL-encoded."""

import http.client
from urllib.parse import urlencode


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
