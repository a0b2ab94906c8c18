"""Reading a WordPress eXtended RSS (WXR 1.x) export safely into plain records.

The XML is parsed with ``defusedxml`` and no DTD is allowed at all: WordPress never writes
one, and refusing it shuts out entity expansion (billion laughs) and external entities
(XXE). Nothing here touches the database.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

import defusedxml
import defusedxml.ElementTree as SafeET

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_WXR_NS = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
_ZERO_DATE = "0000-00-00 00:00:00"


class WxrError(Exception):
    """A file that is refused; the message (one line) says why."""


@dataclass
class WxrAuthor:
    login: str
    email: str = ""
    display_name: str = ""


@dataclass
class WxrTerm:
    """A category or tag as the export declares it (``slug`` is WordPress' nicename)."""

    slug: str
    name: str
    parent: str = ""  # categories: the parent's slug


@dataclass
class WxrComment:
    wp_id: int
    parent_wp_id: int | None
    author_name: str
    author_email: str
    author_url: str
    author_ip: str
    date_gmt: str
    date_local: str
    content: str
    approved: str  # "1", "0", "spam", "trash", "post-trashed"
    kind: str = ""  # "", "comment", "pingback", "trackback"


@dataclass
class WxrItem:
    wp_id: int
    post_type: str
    status: str
    title: str
    slug: str
    creator: str
    content: str
    date_gmt: str
    date_local: str
    password: str = ""
    categories: list = field(default_factory=list)  # [WxrTerm] (slug, name)
    tags: list = field(default_factory=list)  # [WxrTerm]
    comments: list = field(default_factory=list)  # [WxrComment]


@dataclass
class WxrExport:
    version: str
    title: str
    base_url: str
    authors: list
    categories: list
    tags: list
    items: list


def wp_datetime(gmt, local, tz):
    """An aware UTC datetime from WordPress' GMT date, else its local one in ``tz``, else None."""
    for text, zone in ((gmt, dt.timezone.utc), (local, tz)):
        text = (text or "").strip()
        if not text or text.startswith("0000-00-00"):
            continue
        try:
            value = dt.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        return value.replace(tzinfo=zone).astimezone(dt.timezone.utc)
    return None


def _int(text):
    try:
        return int((text or "").strip())
    except ValueError:
        return None


class _Reader:
    """Finds WXR's namespaced children whatever 1.x namespace the file uses."""

    def __init__(self, wp_ns):
        self.wp = "{" + wp_ns + "}"
        self.excerpt = "{" + wp_ns + "excerpt/}"

    def wp_text(self, element, name):
        return (element.findtext(self.wp + name) or "").strip()

    def author(self, element):
        return WxrAuthor(
            login=self.wp_text(element, "author_login"),
            email=self.wp_text(element, "author_email"),
            display_name=self.wp_text(element, "author_display_name"),
        )

    def category(self, element):
        return WxrTerm(slug=self.wp_text(element, "category_nicename"),
                       name=self.wp_text(element, "cat_name"),
                       parent=self.wp_text(element, "category_parent"))

    def tag(self, element):
        return WxrTerm(slug=self.wp_text(element, "tag_slug"),
                       name=self.wp_text(element, "tag_name"))

    def comment(self, element):
        text = lambda name: self.wp_text(element, name)  # noqa: E731
        parent = _int(text("comment_parent"))
        return WxrComment(
            wp_id=_int(text("comment_id")) or 0,
            parent_wp_id=parent or None,
            author_name=text("comment_author"),
            author_email=text("comment_author_email"),
            author_url=text("comment_author_url"),
            author_ip=text("comment_author_IP"),
            date_gmt=text("comment_date_gmt"),
            date_local=text("comment_date"),
            content=element.findtext(self.wp + "comment_content") or "",
            approved=text("comment_approved"),
            kind=text("comment_type"),
        )

    def item(self, element):
        terms = {"category": [], "post_tag": []}
        for term in element.findall("category"):
            domain, slug = term.get("domain"), (term.get("nicename") or "").strip()
            if domain in terms and slug:
                terms[domain].append(WxrTerm(slug=slug, name=(term.text or "").strip()))
        return WxrItem(
            wp_id=_int(self.wp_text(element, "post_id")) or 0,
            post_type=self.wp_text(element, "post_type") or "post",
            status=self.wp_text(element, "status"),
            title=(element.findtext("title") or "").strip(),
            slug=self.wp_text(element, "post_name"),
            creator=(element.findtext("{%s}creator" % DC_NS) or "").strip(),
            content=element.findtext("{%s}encoded" % CONTENT_NS) or "",
            date_gmt=self.wp_text(element, "post_date_gmt"),
            date_local=self.wp_text(element, "post_date"),
            password=self.wp_text(element, "post_password"),
            categories=terms["category"],
            tags=terms["post_tag"],
            comments=[self.comment(c) for c in element.findall(self.wp + "comment")],
        )


def _wxr_namespace(channel):
    for child in channel:
        if child.tag.startswith("{") and child.tag.endswith("}wxr_version"):
            namespace = child.tag[1:].split("}", 1)[0]
            if _WXR_NS.match(namespace):
                return namespace, (child.text or "").strip()
    raise WxrError("not a WordPress export (no WXR 1.x wp:wxr_version element)")


def read_wxr(path):
    """Parse the export at ``path``; raise :class:`WxrError` for anything unsafe or unusable."""
    try:
        root = SafeET.parse(path, forbid_dtd=True, forbid_entities=True,
                            forbid_external=True).getroot()
    except defusedxml.DTDForbidden:
        raise WxrError("refused: the file declares a DTD (<!DOCTYPE>); "
                       "WordPress exports have none") from None
    except defusedxml.EntitiesForbidden:
        raise WxrError("refused: the file declares XML entities") from None
    except defusedxml.ExternalReferenceForbidden:
        raise WxrError("refused: the file refers to external resources") from None
    except SafeET.ParseError as exc:
        raise WxrError(f"not well-formed XML ({exc})") from None
    except OSError as exc:
        raise WxrError(exc.strerror or str(exc)) from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise WxrError("not a WordPress export (no <rss><channel>)")
    namespace, version = _wxr_namespace(channel)
    reader = _Reader(namespace)
    return WxrExport(
        version=version,
        title=(channel.findtext("title") or "").strip(),
        base_url=(reader.wp_text(channel, "base_blog_url")
                  or (channel.findtext("link") or "").strip()),
        authors=[reader.author(a) for a in channel.findall(reader.wp + "author")],
        categories=[reader.category(c) for c in channel.findall(reader.wp + "category")],
        tags=[reader.tag(t) for t in channel.findall(reader.wp + "tag")],
        items=[reader.item(i) for i in channel.findall("item")],
    )
