"""Hugo shortcodes to Markdown, so no imported page shows ``{{<`` or ``{{%`` text.

Known shortcodes become what a reader of the Hugo site saw: ``figure`` an image with its
caption (a missing image file: its caption and alt text, and a warning), ``note`` /
``caution`` / ``warning`` callouts, ``glossary_tooltip`` its text, ``code_sample`` a code
block (the file found) or the file's name, ``mermaid`` and ``highlight`` code blocks,
``youtube`` / ``vimeo`` links, ``tabs`` headed sections. Any other shortcode leaves its
inner text, with a warning naming the file and line. A shortcode left open (no ``>}}``,
or a block shortcode with no closing tag) is an error: :class:`ShortcodeError`.
"""

import re
from dataclasses import dataclass, field

from ..content.rendering import markdown_to_html
from .hugo_render import Context, render_node

_OPEN = re.compile(r"\{\{([<%])")
# One tag: {{< name args >}}, {{% /name %}}, {{< name args />}}; args may span lines and
# hold quoted ">}}" text, so quoted strings are matched whole.
_TAG = re.compile(
    r"""\{\{(?P<delim>[<%])\s*(?P<close>/)?\s*(?P<name>[\w.-]+)"""
    r"""(?P<args>(?:\s+(?:"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`>%/]+|/(?![>%]\}\}))+)*)?"""
    r"""\s*(?P<self>/)?\s*[>%]\}\}""", re.S)
# A comment ends at "-->", or at a line that is only "->" (a real typo a browser would
# not forgive: it would hide the page up to the next "-->", shortcodes' ends included).
_COMMENT = re.compile(r"<!--(?!\s*more\s*-->).*?(?:-->|^[ \t]*->[ \t]*$)", re.S | re.I | re.M)
_FENCE = re.compile(r"^[ \t]*(```|~~~)", re.M)
_ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.S)

# Rendered without inner text; a closing tag for them would be an error in Hugo too.
LEAVES = {"glossary_tooltip", "figure", "feature-state", "heading", "code_sample", "codenew",
          "code", "param", "skew", "glossary_definition", "api-reference", "youtube", "vimeo",
          "link", "thirdparty-content", "ref", "relref", "tweet", "x", "gist", "instagram",
          "img", "image", "version-check", "latest-version", "toc"}
# Must be closed: an opening tag without its closing one is reported.
BLOCKS = {"note", "caution", "warning", "tip", "info", "alert", "callout", "tabs", "tab",
          "mermaid", "highlight", "comment", "details", "table", "example", "columns",
          "column", "expand", "hint", "admonition", "notice"}


class ShortcodeError(ValueError):
    def __init__(self, message, line):
        super().__init__(message)
        self.line = line


@dataclass
class Node:
    name: str
    args: str
    line: int
    inner: list = None  # None for a leaf, else a list of str and Node
    markdown_inner: bool = True


@dataclass
class Converted:
    markdown: str
    warnings: list = field(default_factory=list)  # (line, message)


def _blank_comments(text):
    """HTML comments (not ``<!--more-->``) replaced by as many newlines, outside code
    fences: translated pages keep the original in them, shortcodes included."""
    def keep_lines(match):
        return "\n" * match.group(0).count("\n")

    parts, inside, last = [], False, 0
    for fence in _FENCE.finditer(text):
        chunk = text[last:fence.start()]
        parts.append(chunk if inside else _COMMENT.sub(keep_lines, chunk))
        parts.append(fence.group(0))
        inside, last = not inside, fence.end()
    tail = text[last:]
    parts.append(tail if inside else _COMMENT.sub(keep_lines, tail))
    return "".join(parts)


def _closers(tags):
    """Per tag index: does a closing tag of the same name follow it?"""
    seen, result = set(), [False] * len(tags)
    for index in range(len(tags) - 1, -1, -1):
        tag = tags[index]
        if tag["close"]:
            seen.add(tag["name"])
        else:
            result[index] = tag["name"] in seen
    return result


def parse(text, first_line=1):
    """The body as a list of text and :class:`Node`; raises :class:`ShortcodeError`."""
    line_at = lambda pos: first_line + text.count("\n", 0, pos)  # noqa: E731
    tags = list(_TAG.finditer(text))
    starts = {tag.start() for tag in tags}
    for opening in _OPEN.finditer(text):
        if opening.start() not in starts:
            raise ShortcodeError(f"shortcode '{{{{{opening.group(1)}' is never closed with "
                                 f"'{opening.group(1)[0].translate(str.maketrans('<%', '>%'))}}}}}'",
                                 line_at(opening.start()))
    closed_later = _closers(tags)
    root = Node("", "", first_line, [])
    stack, last = [root], 0
    for index, tag in enumerate(tags):
        stack[-1].inner.append(text[last:tag.start()])
        last = tag.end()
        name, line = tag["name"], line_at(tag.start())
        if tag["close"]:
            if stack[-1] is root or stack[-1].name != name:
                raise ShortcodeError(f"closing shortcode '{name}' was never opened", line)
            stack.pop()
            continue
        node = Node(name, (tag["args"] or "").strip(), line, markdown_inner=tag["delim"] == "%")
        stack[-1].inner.append(node)
        if tag["self"] or name in LEAVES or not closed_later[index]:
            if name in BLOCKS and not tag["self"]:
                raise ShortcodeError(f"shortcode '{name}' is opened but never closed", line)
            continue
        node.inner = []
        stack.append(node)
    if len(stack) > 1:
        raise ShortcodeError(f"shortcode '{stack[-1].name}' is opened but never closed",
                             stack[-1].line)
    root.inner.append(text[last:])
    return root


def convert(text, first_line=1, language="en", find_file=None):
    """:class:`Converted` Markdown of a Hugo page body whose first line is ``first_line``
    of its file. ``find_file(path)`` returns a file's text or None (images, code samples)."""
    text = _blank_comments(text)
    # {{</* note */>}} is how Hugo pages show a shortcode as text: kept, without the markers.
    escaped = {}

    def hide(match):
        key = f"\x00{len(escaped)}\x00"
        escaped[key] = "{{" + match.group(1) + match.group(2) + match.group(3) + "}}"
        return key

    text = _ESCAPED.sub(hide, text)
    root = parse(text, first_line)
    context = Context(language=language, find_file=find_file or (lambda path: None),
                      to_html=markdown_to_html)
    markdown = render_node(root, context)
    for key, value in escaped.items():
        markdown = markdown.replace(key, value)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    return Converted(markdown, context.warnings)
