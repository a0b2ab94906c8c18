"""Helpers shared by the comment tests: post through the real form, read pages back as a
browser would (an HTML parser, not string matching), look at the database."""

import html
import re
from html.parser import HTMLParser

from conftest import csrf_token

from blogapp.extensions import db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background",
                  "data", "codebase", "cite", "srcset", "lowsrc", "dynsrc"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
# Characters a browser drops or ignores inside a URL scheme (controls, spaces, tabs, newlines).
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]")


def normalized_url(value):
    """A URL attribute as a browser resolves its scheme: entity-decoded, without control
    characters or whitespace, lower case.

    ``HTMLParser`` already decodes character references in attribute values, as a browser
    does; decoding once more here is deliberately stricter (``&amp;colon;`` counts too).
    """
    return _IGNORED_IN_SCHEME.sub("", html.unescape(value or "")).lower()


class Element:
    def __init__(self, tag, attrs, ancestors):
        self.tag = tag
        self.attrs = attrs  # list of (name, value) as parsed, duplicates kept
        self.ancestors = ancestors  # outermost first

    def get(self, name, default=None):
        return next((value for key, value in self.attrs if key == name), default)

    @property
    def classes(self):
        return (self.get("class") or "").split()

    def inside(self, tag, **attrs):
        """Whether an ancestor is ``<tag>`` with these attribute values (class: one of its classes)."""
        for element in self.ancestors:
            if element.tag == tag and all(
                value in element.classes if key == "class_" else element.get(key) == value
                for key, value in attrs.items()
            ):
                return True
        return False


class PageParser(HTMLParser):
    """Collects every start tag with its attributes and its open ancestors, and the text
    of textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.stack = []
        self.textareas = {}
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, list(self.stack))
        self.elements.append(element)
        if tag == "textarea":
            self._textarea = element.get("name")
            self.textareas[self._textarea] = ""
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, attrs, list(self.stack)))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self._textarea is not None:
            self.textareas[self._textarea] += data


def parse(markup):
    parser = PageParser()
    parser.feed(markup)
    parser.close()
    return parser


def unsafe_parts(elements, allowed_tags=None):
    """What in ``elements`` could run script: tags outside ``allowed_tags`` (when given),
    event handler or style attributes, javascript:/vbscript:/data: URLs."""
    problems = []
    for element in elements:
        if allowed_tags is not None and element.tag not in allowed_tags:
            problems.append(f"tag <{element.tag}>")
        for name, value in element.attrs:
            name = name.lower()
            if name.startswith("on"):
                problems.append(f"<{element.tag} {name}>")
            elif name == "style":
                problems.append(f"<{element.tag} style>")
            elif name in URL_ATTRIBUTES and normalized_url(value).startswith(BAD_SCHEMES):
                problems.append(f"<{element.tag} {name}={value!r}>")
    return problems


# -- talking to the app ------------------------------------------------------------------

def post_comment(client, slug, body="写得很好，谢谢！", name="读者", email="reader@example.com",
                 url="", parent_id="", token=None, **extra):
    """Submit the comment form of ``/posts/<slug>`` like a browser (with its CSRF token)."""
    if token is None:
        token = csrf_token(client, f"/posts/{slug}")
    data = {"csrf_token": token, "body": body, "author_name": name, "author_email": email,
            "author_url": url, "parent_id": parent_id, **extra}
    return client.post(f"/posts/{slug}/comments", data=data)


def new_comment_id(response):
    """The id of the comment a successful post redirected to (``...#comment-N``)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = re.search(r"#comment-(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def article(client, slug):
    response = client.get(f"/posts/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown_comment_ids(markup):
    """Ids of the comments shown in the thread (``<li id="comment-N">``), in page order."""
    return [int(e.get("id")[8:]) for e in parse(markup).elements
            if e.tag == "li" and (e.get("id") or "").startswith("comment-")]


def comment_parents(markup):
    """``{id: id of the comment whose <li> encloses it, or None}`` for every shown comment."""
    parents = {}
    for element in parse(markup).elements:
        if element.tag == "li" and (element.get("id") or "").startswith("comment-"):
            enclosing = [a for a in element.ancestors
                         if a.tag == "li" and (a.get("id") or "").startswith("comment-")]
            parents[int(element.get("id")[8:])] = int(enclosing[-1].get("id")[8:]) if enclosing else None
    return parents


def comment_row(app, comment_id):
    """The stored comment as a dict (None when it is gone)."""
    from plugins.comments.models import Comment

    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        if comment is None:
            return None
        return {column.name: getattr(comment, column.name) for column in Comment.__table__.columns}


def comment_count(app):
    from plugins.comments.models import Comment

    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Comment.id)))


def set_status(app, comment_id, status):
    from plugins.comments.models import Comment

    with app.app_context():
        db.session.get(Comment, comment_id).status = status
        db.session.commit()
