"""Links between the pages of an imported Hugo site, pointed at the imported posts.

A Hugo page links its neighbours by their site URL (``/docs/concepts/pods/``,
``/zh-cn/docs/...``, ``../pods/``); on the blog each page lives at ``/posts/<slug>``. The
URL of every imported page is worked out as Hugo would (language prefix except for the
default content language, bundle and section folders, ``slug``, ``url``, ``aliases``)
and links to it in Markdown (``[text](url)``, ``[ref]: url``) or HTML (``href="url"``)
are rewritten, anchors kept, and so are ``ref``/``relref`` shortcodes (by the page's
path, with or without its section, in the page's language first). A link to a translation that does not exist goes to the
default language's page (as Kubernetes' site does); links to pages not imported stay
as written.
"""

import posixpath
import re
from pathlib import Path, PurePosixPath

from .front_matter import FrontMatterError, normalize_text, split
from .hugo_render import REF_PREFIX

_REF = re.compile(re.escape(REF_PREFIX) + r"""(?P<path>[^\s)>"'#]*)(?P<rest>#[^\s)>"']*)?""")
# [text](url "title"), [ref]: url, href="url": the url is group "url".
_LINK = re.compile(r"""(?P<lead>\]\(\s*<?|^[ \t]*\[[^\]\n]+\]:[ \t]*|href=["'])"""
                   r"""(?P<url>(?:/|\.\.?/)[^\s)>"'#?]*)(?P<rest>[?#][^\s)>"']*)?""", re.M)


def default_language(directory):
    """``defaultContentLanguage`` of the site's config next to ``directory`` (else en)."""
    for name in ("hugo.toml", "config.toml", "hugo.yaml", "config.yaml", "hugo.yml", "config.yml"):
        path = Path(directory).parent / name
        if not path.is_file():
            continue
        text = normalize_text(path.read_text(encoding="utf-8", errors="replace"))
        fence = "+++" if name.endswith(".toml") else "---"
        try:
            meta = split(f"{fence}\n{text}\n{fence}\n")[0]
        except FrontMatterError:
            return "en"
        return str(meta.get("defaultContentLanguage") or "en").lower()
    return "en"


def _key(url):
    return "/" + url.strip("/").lower() + "/" if url.strip("/") else "/"


def page_urls(page, default_folder):
    """Every site URL of ``page`` (normalized keys of :func:`_key`)."""
    meta = page.meta
    parts = list(page.relative.with_suffix("").parts)
    if parts[-1] in ("index", "_index"):
        parts.pop()
    elif meta.get("slug"):
        parts[-1] = str(meta["slug"])
    prefixes = [page.folder] if page.folder else []
    if not page.folder or page.folder.lower() == default_folder:
        prefixes.append("")
    urls = {_key("/".join(p for p in (prefix, *parts) if p)) for prefix in prefixes}
    for extra in [meta.get("url"), *(meta.get("aliases") or [])]:
        if isinstance(extra, str) and extra.startswith("/"):
            urls.add(_key(extra))
    return urls


def rewrite_links(pages, directory):
    """Point the links between ``pages`` at their posts (``page.article.body`` edited)."""
    default_folder = default_language(directory)
    folders = {page.folder.lower() for page in pages if page.folder}
    by_url, own = {}, {}
    for page in pages:
        urls = page_urls(page, default_folder)
        own[id(page)] = sorted(urls, key=len, reverse=True)[0]
        for url in urls:
            by_url.setdefault(url, page.article.slug)

    by_path = _paths(pages)
    for page in pages:
        base = own[id(page)]
        page.article.body = _REF.sub(lambda m, page=page: _ref(m, page, by_path), page.article.body)

        def replace(match, base=base):
            url = match["url"]
            target = url if url.startswith("/") else posixpath.normpath(posixpath.join(base, url))
            key = _key(target)
            slug = by_url.get(key)
            first, _, rest = key.strip("/").partition("/")
            if slug is None and first in folders:  # not translated: the default language's
                slug = by_url.get(_key(rest))
            if slug is None:
                return match.group(0)
            return f"{match['lead']}/posts/{slug}{match['rest'] or ''}"

        page.article.body = _LINK.sub(replace, page.article.body)


def _path_keys(relative):
    parts = [part.lower() for part in relative.with_suffix("").parts]
    if parts[-1] in ("index", "_index") and len(parts) > 1:
        parts.pop()
    return ["/".join(parts), parts[-1]]  # the whole path, and the name alone


def _paths(pages):
    """``{(path key, language): slug}`` for ``ref`` lookups (a name shared by several
    pages of one language is left out: it would be a guess)."""
    found, shared = {}, set()
    for page in pages:
        for key in _path_keys(page.relative):
            entry = (key, page.article.language)
            if entry in found and found[entry] != page.article.slug:
                shared.add(entry)
            found[entry] = page.article.slug
    return {entry: slug for entry, slug in found.items() if entry not in shared}


def _ref(match, page, by_path):
    path = match["path"].strip("/")
    stem = path[:-3] if path.lower().endswith(".md") else path
    key = _path_keys(PurePosixPath(stem + ".md"))[0]
    languages = [page.article.language, *sorted({lang for _, lang in by_path} - {page.article.language})]
    for language in languages:
        slug = by_path.get((key, language))
        if slug:
            return f"/posts/{slug}{match['rest'] or ''}"
    page.warnings.append((None, f"ref {match['path']!r} names no imported page: kept as written"))
    return match["path"] + (match["rest"] or "")
