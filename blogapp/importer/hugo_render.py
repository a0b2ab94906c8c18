"""What each Hugo shortcode becomes in Markdown (``hugo_shortcodes`` parses, this renders).

Block results are set apart by blank lines; inline ones (``glossary_tooltip``, ``param``)
replace the tag in the sentence. Labels of callouts follow the page's language.
"""

import html
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable

_NAMED = re.compile(r'([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|([^\s"`]+))')
_POSITIONAL = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)')
_HEADING = re.compile(r"^(#{1,6})\s", re.M)

CALLOUTS = {  # name -> (zh label, en label)
    "note": ("说明", "Note"), "info": ("说明", "Info"), "tip": ("提示", "Tip"),
    "hint": ("提示", "Hint"), "caution": ("注意", "Caution"), "warning": ("警告", "Warning"),
    "alert": ("注意", "Alert"), "callout": ("说明", "Note"), "notice": ("说明", "Notice"),
    "admonition": ("说明", "Note"),
}
HEADINGS = {"whatsnext": ("接下来", "What's next"), "prerequisites": ("准备开始", "Before you begin"),
            "seealso": ("参见", "See also"), "objectives": ("教程目标", "Objectives"),
            "cleanup": ("清理现场", "Clean up"), "synopsis": ("概要", "Synopsis"),
            "options": ("选项", "Options")}
CODE_EXTENSIONS = {"yaml": "yaml", "yml": "yaml", "json": "json", "sh": "bash", "py": "python",
                   "go": "go", "toml": "toml", "conf": "ini", "js": "javascript"}
# A page reference, until the slug of the page it names is known.
REF_PREFIX = "hugo-ref:"
# Shown as nothing: comments, the reading-time banner of third-party content, a TOC.
SILENT = {"comment", "thirdparty-content", "toc"}


@dataclass
class Context:
    language: str
    find_file: Callable
    to_html: Callable
    warnings: list = field(default_factory=list)

    def label(self, table, key, default):
        pair = table.get(key)
        return default if pair is None else pair[0 if self.language == "zh" else 1]


def parse_args(text):
    """``('key="v" k2=v2', ...)`` -> ``({key: v, k2: v2}, [positional, ...])``."""
    named = {m.group(1): _unquote(m.group(2), m.group(3), m.group(4)) for m in _NAMED.finditer(text)}
    rest = _NAMED.sub(" ", text)
    positional = [_unquote(*m.groups()) for m in _POSITIONAL.finditer(rest)]
    return named, positional


def _unquote(quoted, backticked, bare):
    if quoted is not None:
        return quoted.replace('\\"', '"')
    return backticked if backticked is not None else bare


def render_node(node, context, previous=""):
    """Markdown of a parsed node's inner parts (the root: the whole body)."""
    out = []
    for part in node.inner:
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(render_shortcode(part, context, "".join(out) or previous))
    return "".join(out)


def _block(text):
    return f"\n\n{text.strip(chr(10))}\n\n"


def _fence(code, language=""):
    code = code.strip("\n")
    ticks = "````" if "```" in code else "```"
    return _block(f"{ticks}{language}\n{code}\n{ticks}")


def _heading_level(previous):
    """One level below the last Markdown heading before this point (at least h3)."""
    levels = _HEADING.findall(previous)
    return min(6, max(3, len(levels[-1]) + 1 if levels else 3))


def _inner_raw(node):
    return "".join(part if isinstance(part, str) else "" for part in node.inner or [])


def render_shortcode(node, context, previous):  # noqa: C901 - one branch per shortcode
    name = node.name.lower()
    named, positional = parse_args(node.args)
    inner = render_node(node, context, previous) if node.inner is not None else ""
    first = positional[0] if positional else ""
    if name in SILENT:
        return ""
    if name in CALLOUTS:
        label = named.get("title") or context.label(CALLOUTS, name, "Note")
        body = context.to_html(inner.strip())
        kind = name if name in ("caution", "warning") else "note"
        # The label is no paragraph: an excerpt (the first <p>) is never just "Note".
        return _block(f'<div class="callout callout-{kind}">\n<div class="callout-title"><strong>'
                      f"{html.escape(label)}</strong></div>\n{body}\n</div>")
    if name == "glossary_tooltip":
        return named.get("text") or named.get("term_id", "")
    if name == "glossary_definition":
        return named.get("term_id", "")
    if name == "figure" or name in ("img", "image"):
        return _figure(node, named, context)
    if name in ("code_sample", "codenew", "code"):
        return _code_sample(node, named, first, context)
    if name in ("mermaid",):
        return _fence(_inner_raw(node), "mermaid")
    if name == "highlight":
        code = _inner_raw(node)
        if "hl_inline" in node.args:
            return f"`{code.strip()}`"
        return _fence(code, first)
    if name in ("youtube", "vimeo"):
        video = named.get("id") or first
        url = (f"https://www.youtube.com/watch?v={video}" if name == "youtube"
               else f"https://vimeo.com/{video}")
        title = named.get("title") or ("YouTube" if name == "youtube" else "Vimeo") + f": {video}"
        return _block(f"[{title}]({url})")
    if name == "tabs":
        return _block(inner)
    if name == "tab":
        title = named.get("name") or named.get("title") or first
        heading = "#" * _heading_level(previous) + " " + title if title else ""
        if named.get("codelang"):
            return _block(heading) + _fence(_inner_raw(node), named["codelang"])
        return _block(heading) + _block(inner)
    if name in ("details", "expand"):
        summary = named.get("summary") or named.get("title") or first
        return _block(f"**{summary}**" if summary else "") + _block(inner)
    if name in ("table", "example", "columns", "column"):
        caption = named.get("caption") or named.get("title")
        return (_block(f"*{caption}*") if caption else "") + _block(inner)
    if name == "heading":
        return context.label(HEADINGS, first, first.replace("-", " ").capitalize())
    if name == "feature-state":
        return _feature_state(named, context, previous)
    if name == "api-reference":
        page = named.get("page", "").rsplit("/", 1)[-1]
        stem = re.sub(r"-v\d+(?:(?:alpha|beta)\d+)?$", "", page)
        return named.get("text") or "".join(w.capitalize() for w in stem.split("-"))
    if name == "link":
        text = named.get("text") or inner or named.get("url", "")
        return f"[{text}]({named['url']})" if named.get("url") else text
    if name in ("ref", "relref"):  # resolved to the post by hugo_links.rewrite_links
        return f"{REF_PREFIX}{named.get('path') or first}"
    if name in ("tweet", "x", "gist", "instagram"):
        return _block(" ".join(named.values()) or " ".join(positional))
    # A site parameter, a version, a project's own shortcode: no way to know its output.
    context.warnings.append((node.line, f"unknown shortcode '{node.name}': kept its text"))
    if node.inner is not None:
        return inner
    return named.get("text") or named.get("title") or named.get("caption") or first


def _feature_state(named, context, previous):
    """Kubernetes' feature-state banner: "FEATURE STATE: Kubernetes v1.30 [beta]"; on a
    line of its own a block that is no paragraph (so it is never the excerpt)."""
    zh = context.language == "zh"
    if named.get("for_k8s_version") or named.get("state"):
        text = f"{'特性状态：' if zh else 'FEATURE STATE: '}Kubernetes " \
               f"{named.get('for_k8s_version', '')} [{named.get('state', '')}]"
    elif named.get("feature_gate_name"):
        text = f"{'特性门控：' if zh else 'Feature gate: '}{named['feature_gate_name']}"
    else:
        return ""
    if not previous or previous.endswith("\n"):
        return _block(f'<div class="feature-state"><em>{html.escape(text)}</em></div>')
    return f"*{text}*"


def _figure(node, named, context):
    src = named.get("src", "")
    alt = named.get("alt", "")
    caption = " ".join(v for v in (named.get("title"), named.get("caption")) if v)
    remote = src.startswith(("http://", "https://"))
    if src and (remote or context.find_file(src) is not None):
        image = f"![{alt or caption}]({src})"
        return _block(image + (f"\n\n*{caption}*" if caption else ""))
    context.warnings.append((node.line, f"figure image {src!r} not found: kept its "
                             "caption and alt text"))
    text = " — ".join(v for v in (caption, alt) if v)
    return _block(f"*{text}*") if text else ""


def _code_sample(node, named, first, context):
    path = named.get("file") or first
    language = named.get("language") or CODE_EXTENSIONS.get(posixpath.splitext(path)[1][1:], "")
    code = context.find_file(path) if path else None
    if code is not None:
        return _block(f"`{path}`") + _fence(code, language)
    label = "示例文件：" if context.language == "zh" else "Example file: "
    return _block(f"{label}`{path}`")
