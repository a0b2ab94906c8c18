"""Test helper: the real Kubernetes "Concepts" docs (Hugo sources) as importable posts.

The pages in ``../shared/corpus/k8s-docs-hugo/`` are taken from
https://github.com/kubernetes/website (see ``../shared/corpus/K8S-SOURCES.md``).
Copyright The Kubernetes Authors, licensed under Creative Commons Attribution 4.0
International (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/). They are read at
run time and never copied into this repository; the converted files go to a temporary
folder only.

Until the Hugo importer lands, :func:`convert` turns each page into a Markdown file with
the front matter ``flask import-posts`` reads, and :func:`import_pages` imports that
folder through the real importer code. Used by ``tests/test_search_real_docs.py`` and
``bench/docs_quality.py``. Conversion rules (kept deliberately small):

- slug from the path, language first: ``content/en/docs/concepts/workloads/pods/pod-lifecycle.md``
  -> ``en-concepts-workloads-pods-pod-lifecycle``; ``zh-cn`` -> ``zh-...``; a section's
  ``_index.md`` takes the folder's slug (``en-concepts-workloads``);
- HTML comments are removed (zh-cn pages keep the English original in them);
- heading anchors ``{#id}`` are removed;
- shortcodes become plain text: paired ones keep their inner text (note, caution, tabs ...);
  ``glossary_tooltip`` -> its ``text=`` (else the glossary term's title, else its id);
  ``figure``/``table``/``details``/``alert``/``tab``/``link`` keep their visible labels
  (caption, title, summary, name, text) and drop the rest; ``highlight``, ``mermaid`` and
  code tabs become code fences; ``comment`` blocks, ``code_sample``, ``feature-state``,
  version placeholders and other one-off shortcodes are dropped;
- ``description`` becomes the first paragraph; the category is the top section's title
  in the page's language; author ``kubernetes-authors``; date: the corpus commit's date.
"""

import re
from pathlib import Path

import yaml

SOURCE = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "k8s-docs-hugo"
LANGUAGES = {"en": "en", "zh-cn": "zh"}  # content folder -> slug prefix
AUTHOR = "kubernetes-authors"
DATE = "2026-01-22T20:29:32+05:30"  # commit 5a52c384 of kubernetes/website (K8S-SOURCES.md)
HEADINGS = {  # {{% heading "..." %}}, as the Kubernetes site renders it per language
    "whatsnext": {"en": "What's next", "zh": "接下来"},
    "prerequisites": {"en": "Before you begin", "zh": "准备开始"},
    "seealso": {"en": "See also", "zh": "参见"},
}
VISIBLE_ARGS = ("text", "caption", "title", "summary", "name")
BLOCKS = {"figure", "table", "details", "alert"}  # their label is a paragraph of its own

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ANCHOR = re.compile(r"[ \t]*\{#[^}\n]*\}[ \t]*$", re.M)
_ARGS = r"\s*(?P<args>(?:[^}]|\}(?!\}))*?)\s*[>%]\}\}"  # up to the closing >}} or %}}
_PAIRED_CODE = re.compile(
    r"\{\{[<%]\s*(?P<name>highlight|mermaid|comment|tab)\b" + _ARGS
    + r"(?P<inner>.*?)\{\{[<%]\s*/\s*(?P=name)\s*[>%]\}\}", re.S)
_SHORTCODE = re.compile(r"\{\{[<%]\s*(?P<close>/)?\s*(?P<name>[\w-]+)" + _ARGS, re.S)
_NAMED_ARG = re.compile(r'([\w-]+)\s*=\s*"((?:[^"\\]|\\.)*)"')
_BLANK_LINES = re.compile(r"\n{3,}")


def page_slug(lang, relative):
    """``("en", Path("workloads/pods/_index.md"))`` -> ``"en-concepts-workloads-pods"``."""
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "_index":
        parts.pop()
    return "-".join([LANGUAGES[lang], "concepts", *parts])


def _args(text):
    named = {key: value.replace('\\"', '"') for key, value in _NAMED_ARG.findall(text)}
    positional = _NAMED_ARG.sub(" ", text).split()
    return named, [p.strip('"') for p in positional]


def _fence(code, language=""):
    return f"\n```{language}\n{code.strip(chr(10))}\n```\n"


def _paired_code(match):
    name, inner = match["name"], match["inner"]
    named, positional = _args(match["args"])
    if name == "comment":
        return ""
    if name == "mermaid":
        return _fence(inner, "mermaid")
    if name == "highlight":
        language = positional[0] if positional else ""
        return f"`{inner.strip()}`" if "hl_inline" in match["args"] else _fence(inner, language)
    label = named.get("name", "")
    if "codelang" in named:  # a tab whose content is code
        return f"\n{label}\n" + _fence(inner, named["codelang"])
    return f"\n{label}\n\n{inner}"


def _api_kind(page):
    """``workload-resources/stateful-set-v1`` -> ``StatefulSet`` (what the site shows)."""
    stem = re.sub(r"-v\d+(?:(?:alpha|beta)\d+)?$", "", page.rsplit("/", 1)[-1])
    return "".join(word.capitalize() for word in stem.split("-"))


def _shortcode(match, lang, glossary):
    if match["close"]:
        return ""
    name = match["name"]
    named, positional = _args(match["args"])
    if name == "glossary_tooltip":
        term = named.get("term_id", "")
        return named.get("text") or glossary.get(term) or term
    if name == "heading":
        return HEADINGS.get(positional[0] if positional else "", {}).get(lang, "")
    if name == "api-reference":
        return named.get("text") or _api_kind(named.get("page", ""))
    if name == "figure":  # the caption is visible, the alt text is not
        label = " ".join(named[key] for key in ("title", "caption") if named.get(key))
    else:
        label = " ".join(named[key] for key in VISIBLE_ARGS if named.get(key))
    return f"\n\n{label}\n\n" if label and name in BLOCKS else label


def hugo_to_markdown(text, lang="en", glossary=None):
    """The Markdown a reader sees of a Hugo body (front matter already removed)."""
    text = _COMMENT.sub("", text)
    text = _ANCHOR.sub("", text)
    for _ in range(3):  # a tab may hold a highlight block
        text, count = _PAIRED_CODE.subn(_paired_code, text)
        if not count:
            break
    text = _SHORTCODE.sub(lambda m: _shortcode(m, lang, glossary or {}), text)
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


def read_page(path):
    """``(front matter dict, body)`` of a Hugo page."""
    text = path.read_text(encoding="utf-8")
    match = _FRONT.match(text)
    if not match:
        raise ValueError(f"{path}: no YAML front matter")
    return yaml.safe_load(match.group(1)) or {}, text[match.end():]


def glossary_titles(source, lang):
    """``{term id: title}`` from ``../shared/corpus/k8s-glossary`` when it is there."""
    folder = source.parent / "k8s-glossary" / "content" / lang / "docs" / "reference" / "glossary"
    titles = {}
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        meta, _ = read_page(path)
        if meta.get("title"):
            titles[path.stem] = str(meta["title"])
    return titles


def convert(dest, source=SOURCE):
    """Write one importable ``<slug>.md`` per page into ``dest``; return ``{slug: info}``.

    ``info`` has ``lang`` (``en``/``zh``), ``path`` (relative to ``docs/concepts``) and
    ``title``. Raises ``ValueError`` when two pages would get one slug.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    pages = {}
    for folder, lang in LANGUAGES.items():
        root = Path(source) / "content" / folder / "docs" / "concepts"
        glossary = glossary_titles(Path(source), folder)
        for path in sorted(root.rglob("*.md")):
            relative = path.relative_to(root)
            slug = page_slug(folder, relative)
            if slug in pages:
                raise ValueError(f"{path}: slug {slug} is also {pages[slug]['path']}")
            meta, body = read_page(path)
            section = root / relative.parts[0] / "_index.md" if len(relative.parts) > 1 else path
            category = read_page(section)[0].get("title") if section.exists() else None
            text = hugo_to_markdown(body, lang, glossary)
            if meta.get("description"):
                text = hugo_to_markdown(str(meta["description"]), lang, glossary) + "\n" + text
            front = {"title": str(meta["title"]).strip(), "slug": slug, "author": AUTHOR,
                     "date": DATE, "category": category, "tags": []}
            (dest / f"{slug}.md").write_text(
                "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
                + "---\n\n" + text, encoding="utf-8")
            pages[slug] = {"lang": lang, "path": str(relative), "title": front["title"]}
    return pages


def import_pages(app, folder):
    """Import the converted files through ``flask import-posts``' code; return its counts."""
    from blogapp.cli.content import import_directory

    with app.app_context():
        return import_directory(folder)
