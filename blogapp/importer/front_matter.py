"""Front matter as static site generators write it: YAML between ``---`` lines (Hugo,
Hexo, Jekyll), TOML between ``+++`` lines (Hugo) or a JSON object (Hugo).

Real files start with a UTF-8 byte order mark, use CRLF line ends or have blank lines
before the front matter; all of that is accepted. Errors carry the line of the file
they are on, so a report can say ``path:line: reason``.
"""

import datetime as dt
import email.utils
import json
import re
import tomllib

import yaml

_TOML_LINE = re.compile(r"at line (\d+)")


class FrontMatterError(ValueError):
    """Unusable front matter; ``line`` is the file's line (1-based) it was found on."""

    def __init__(self, message, line=1):
        super().__init__(message)
        self.line = line


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves timestamps as text: a date with an impossible day or an
    odd zone is then reported by the importer, not raised from deep inside PyYAML."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def normalize_text(text):
    """Drop a byte order mark and make every line end ``\\n``."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _closing(lines, start, fence):
    for number in range(start, len(lines)):
        if lines[number].rstrip() == fence:
            return number
    return None


def split(text):
    """``(meta, body, format, body_line)`` of normalized ``text``; ``format`` is ``yaml``,
    ``toml``, ``json`` or None (no front matter, meta ``{}``); ``body_line`` is the file's
    line number of the body's first line. Raises :class:`FrontMatterError`."""
    lines = text.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines):
        return {}, "", None, 1
    opening = lines[first].rstrip()
    if opening in ("---", "+++"):
        end = _closing(lines, first + 1, opening)
        if end is None:
            raise FrontMatterError(f"front matter opened with '{opening}' is never closed",
                                   first + 1)
        source = "\n".join(lines[first + 1:end])
        meta = _toml(source, first + 1) if opening == "+++" else _yaml(source, first + 1)
        return meta, "\n".join(lines[end + 1:]), "toml" if opening == "+++" else "yaml", end + 2
    if opening == "{":
        return _json(lines, first)
    return {}, text, None, 1


def _yaml(source, offset):
    try:
        meta = yaml.load(source, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"front matter is not valid YAML: {reason}",
                               offset + 1 + (mark.line if mark else 0)) from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter is not a mapping of keys to values", offset + 1)
    return meta


def _toml(source, offset):
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = offset + int(found.group(1)) if found else offset + 1
        reason = _TOML_LINE.split(str(exc))[0].rstrip(" (")
        raise FrontMatterError(f"front matter is not valid TOML: {reason}", line) from None


def _json(lines, first):
    # A JSON object ends at the first line that is a lone "}" (Hugo's own rule).
    end = _closing(lines, first + 1, "}")
    if end is None:
        raise FrontMatterError("front matter opened with '{' is never closed", first + 1)
    try:
        meta = json.loads("\n".join(lines[first:end + 1]))
    except json.JSONDecodeError as exc:
        raise FrontMatterError(f"front matter is not valid JSON: {exc.msg}",
                               first + exc.lineno) from None
    return meta, "\n".join(lines[end + 1:]), "json", end + 2


# Other spellings real front matter has (Hugo reads them too): slashes, no seconds, a
# zone name after the offset ("+0800 CST"), RFC 2822 ("Wed, 01 May 2024 10:00:00 +0800").
_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S%z",
            "%Y-%m-%d %H:%M%z")


def _parse_date(text):
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    for form in _FORMATS:
        try:
            return dt.datetime.strptime(text, form)
        except ValueError:
            continue
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def as_datetime(value, default_tz):
    """A front matter date (date, datetime, or text with or without time and zone) as an
    aware datetime; raises ValueError with the reason."""
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        # Hexo/Jekyll write "2024-05-01 10:00:00 +0800"; fromisoformat wants the zone attached.
        text = re.sub(r"([+-]\d{2}:?\d{2})\s+[A-Z]{2,5}$", r"\1", text)  # "+0800 CST"
        text = re.sub(r"\s+([+-]\d{2}:?\d{2}|Z)$", r"\1", text)
        result = _parse_date(text)
        if result is None:
            raise ValueError(f"date {value!r} is not an ISO 8601 date") from None
    else:
        raise ValueError(f"date {value!r} is not a date")
    return result if result.tzinfo else result.replace(tzinfo=default_tz)
