"""Regenerate blogapp/search/data/k8s_glossary.tsv from the official Kubernetes glossary.

    .venv/bin/python scripts/build_k8s_glossary.py [--source ../shared/corpus/k8s-glossary]
        [--commit SHA] [--output blogapp/search/data/k8s_glossary.tsv] [--check] [--quiet]

The source is the Kubernetes website's glossary (CC BY 4.0, The Kubernetes Authors):
``content/en/docs/reference/glossary/NAME.md`` and its translation
``content/zh-cn/docs/reference/glossary/NAME.md`` describe one term (``index.md`` is the
glossary page, not a term). Each pair becomes one synonym group of the terms read from
the front matter (``title`` and ``aka`` in both languages):

- ``Container Runtime Interface (CRI)`` gives both the name and the abbreviation;
  a parenthesised part that is no abbreviation of the name (nor the name of it) is a
  qualifier and is dropped: ``Resource (infrastructure)``, ``Developer (disambiguation)``.
- ``容器运行时接口（Container Runtime Interface；CRI）``: the Chinese name, and the Latin
  parts, which must be English terms of the same concept (otherwise they are dropped:
  ``上游（Uptream）``); Chinese in parentheses after a Chinese name is a qualifier
  (``资源（基础设施）``), after a Latin name it is the translation (``API Group (API 组)``).

A term is dropped, with its reason counted in the report, when it would be a harmful or
useless synonym: empty or punctuation only; one Chinese character (``卷``: matches
inside unrelated words); no searchable token; a Latin term in the Chinese title that is
none of the English terms; a term of several official concepts (ambiguous: ``Resource``);
a term of a hand-made concept (``glossary.tsv``) other than the one the rest of the group
joins (it would chain two distinct hand-made concepts together). Spellings the same in
both languages (``Pod``, ``kubectl``) are kept once. A group left with fewer than two
terms adds nothing and is not written.

The output is sorted and stable: regenerating from the same source gives no diff.
``--check`` exits with status 1 when the file differs from what would be generated.
The source commit named in the attribution header is read from ``K8S-SOURCES.md`` next
to the source folder (``../shared/corpus/``), or given with ``--commit``.
"""

import argparse
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import frontmatter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's blogapp, whatever the venv has installed

from blogapp.search.analysis import Analyzer, has_cjk  # noqa: E402
from blogapp.search.glossary import (  # noqa: E402
    DATA_FILE, GENERATED_FILE, Glossary, compact, read_tsv)

DEFAULT_SOURCE = ROOT.parent / "shared" / "corpus" / "k8s-glossary"
GLOSSARY_DIR = Path("content", "{lang}", "docs", "reference", "glossary")
SOURCE_REPO = "https://github.com/kubernetes/website"
_COMMIT = re.compile(r"^- Commit: `([0-9a-f]{40})`", re.MULTILINE)

_PARENS = re.compile(r"^(?P<main>[^()]*?)\s*\((?P<inner>[^()]*)\)\s*$")
_LIST = re.compile(r"\s*[;,]\s*")
_LATIN = re.compile(r"[0-9A-Za-z]")

# Why a term is left out (the keys of the report).
EMPTY = "empty or punctuation only"
ONE_CHAR = "one Chinese character"
QUALIFIER = "qualifier in parentheses, not a name"
NOT_ENGLISH = "Latin text in the Chinese title that is none of the English terms"
NO_TOKENS = "no searchable token"
AMBIGUOUS = "term of several official concepts"
HANDMADE = "term of another hand-made concept (would chain two concepts)"
LONE = "only term of its group (nothing to expand to)"
SAME = "English term repeated in the Chinese title or aka (kept once)"  # not a loss


def normalize(text):
    """NFKC (full-width parentheses and punctuation -> ASCII), single spaces."""
    return " ".join(unicodedata.normalize("NFKC", str(text or "")).split())


def split_name(text):
    """``Name (A; B)`` -> ``("Name", ["A", "B"])``; no parentheses -> ``(text, [])``."""
    text = normalize(text)
    match = _PARENS.match(text)
    if not match or not match["main"]:
        return text, []
    return match["main"], [part for part in _LIST.split(match["inner"]) if part]


def _in_order(letters, text):
    rest = iter(text)
    return all(char in rest for char in letters)


def is_abbreviation(short, long):
    """``CRI`` of ``Container Runtime Interface``, ``cgroup`` of ``control group``,
    ``kOps`` of ``Kubernetes Operations``: one word of several words' letters, in order,
    with every word's initial (so ``Developer (disambiguation)`` is no abbreviation)."""
    short, words = short.lower(), long.lower().split()
    if len(short.split()) != 1 or len(words) < 2 or not short.isalnum():
        return False
    initials = "".join(word[0] for word in words)
    return short[0] == initials[0] and _in_order(short, " ".join(words)) and _in_order(
        initials, short)


def english_terms(names, dropped):
    """Terms of English names (title, aka); parenthesised parts if they abbreviate."""
    terms = []
    for name in names:
        main, parts = split_name(name)
        terms.append(main)
        for part in parts:
            if is_abbreviation(part, main) or is_abbreviation(main, part):
                terms.append(part)
            else:
                dropped.append((QUALIFIER, part))
    return terms


def chinese_terms(names, english, dropped):
    """Chinese terms of the zh title and aka; their Latin parts only check the English."""
    known = {compact(term) for term in english}
    terms = []
    for name in names:
        main, parts = split_name(name)
        for number, piece in enumerate([main, *parts]):
            if has_cjk(piece):
                if number and has_cjk(main):
                    dropped.append((QUALIFIER, piece))  # 资源（基础设施）
                else:
                    terms.append(piece)
            elif compact(piece) not in known and _LATIN.search(piece):
                dropped.append((NOT_ENGLISH, piece))
            else:
                dropped.append((SAME, piece))  # an English term again (Pod, kubectl)
    return terms


def usable(term, analyzer):
    """None when ``term`` can be a synonym, else the reason it cannot."""
    key = compact(term)
    if not re.search(r"\w", key):
        return EMPTY
    if has_cjk(key) and len(key) == 1:
        return ONE_CHAR
    if not analyzer.words(term, "query"):
        return NO_TOKENS
    return None


def names(metadata, field):
    value = metadata.get(field)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [item for item in value if item]


def read_concepts(source):
    """``[(file stem, [terms], [(reason, term)])]`` for each term file, sorted by stem."""
    en_dir = Path(source, str(GLOSSARY_DIR).format(lang="en"))
    zh_dir = Path(source, str(GLOSSARY_DIR).format(lang="zh-cn"))
    if not en_dir.is_dir() or not zh_dir.is_dir():
        raise SystemExit(f"{source}: no {GLOSSARY_DIR} for en and zh-cn")
    analyzer = Analyzer()
    concepts = []
    for en_path in sorted(en_dir.glob("*.md"), key=lambda path: path.stem):
        if en_path.name == "index.md":
            continue
        zh_path = zh_dir / en_path.name
        en = frontmatter.load(en_path).metadata
        zh = frontmatter.load(zh_path).metadata if zh_path.exists() else {}
        dropped = []
        english = english_terms([en["title"], *names(en, "aka")], dropped)
        chinese = chinese_terms([zh.get("title"), *names(zh, "aka")] if zh else [],
                                english, dropped)
        terms, seen = [], set()
        for term in [*english, *chinese]:
            reason = usable(term, analyzer)
            if reason:
                dropped.append((reason, term))
            elif compact(term) not in seen:
                seen.add(compact(term))
                terms.append(term)
        concepts.append((en_path.stem, terms, dropped))
    return concepts


def resolve(concepts, handmade):
    """Drop ambiguous terms and terms that would chain distinct hand-made concepts."""
    owners = Counter(compact(term) for _, terms, _ in concepts for term in set(terms))
    resolved = []
    for stem, terms, dropped in concepts:
        kept = []
        for term in terms:
            if owners[compact(term)] > 1:
                dropped.append((AMBIGUOUS, term))
            else:
                kept.append(term)
        # The group joins the hand-made concept of its first term that has one.
        joined = next((c for c in map(handmade.lookup, kept) if c is not None), None)
        terms, kept = kept, []
        for term in terms:
            concept = handmade.lookup(term)
            if concept is not None and concept is not joined:
                dropped.append((HANDMADE, f"{term} ({joined.terms[0]} / {concept.terms[0]})"))
            else:
                kept.append(term)
        if len(kept) < 2:
            dropped += [(LONE, term) for term in kept]
            kept = []
        resolved.append((stem, kept, dropped))
    return resolved


def source_commit(source):
    """The commit of the source files, from ``K8S-SOURCES.md`` beside the source folder."""
    note = Path(source).resolve().parent / "K8S-SOURCES.md"
    match = _COMMIT.search(note.read_text(encoding="utf-8")) if note.exists() else None
    if not match:
        raise SystemExit(f"no '- Commit: `SHA`' line in {note}: give --commit")
    return match[1]


def render(concepts, commit):
    lines = [
        "# GENERATED by scripts/build_k8s_glossary.py -- do not edit; run the script instead.",
        "#",
        "# zh<->en synonym groups from the official Kubernetes glossary",
        f"# ({SOURCE_REPO}, commit {commit},",
        "# content/{en,zh-cn}/docs/reference/glossary/*.md).",
        "# Copyright The Kubernetes Authors. Licensed under the Creative Commons Attribution",
        "# 4.0 International licence (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/",
        "# Changes: only the term names (title, aka) are kept, split and filtered as described",
        "# in the script.",
        "#",
        "# Format: as glossary.tsv (group<TAB>term|term...); group = the term's file name in",
        "# the official glossary. Loaded after glossary.tsv, which wins: a group joins at most",
        "# one hand-made concept (blogapp/search/glossary.py).",
    ]
    for stem, terms, _ in concepts:
        if terms:
            lines.append(f"{stem}\t{'|'.join(terms)}")
    return "\n".join(lines) + "\n"


def generate(source=DEFAULT_SOURCE, commit=None, handmade_file=DATA_FILE):
    """``(file text, concepts)`` for the official glossary at ``source``."""
    handmade = Glossary(read_tsv(handmade_file))
    concepts = resolve(read_concepts(source), handmade)
    return render(concepts, commit or source_commit(source)), concepts


def report(concepts):
    written = [(stem, terms) for stem, terms, _ in concepts if terms]
    reasons = Counter(reason for _, _, dropped in concepts for reason, _ in dropped)
    out = [f"{len(concepts)} official terms -> {len(written)} groups, "
           f"{sum(len(terms) for _, terms in written)} terms"]
    for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        out.append(f"  {'' if reason == SAME else 'dropped '}{count:3} x {reason}")
    for stem, _, dropped in concepts:
        for reason, term in dropped:
            if reason not in (LONE, SAME):
                out.append(f"  {stem}: {term!r}: {reason}")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="the k8s-glossary folder (default: ../shared/corpus/k8s-glossary)")
    parser.add_argument("--commit", help="source commit for the attribution "
                        "(default: read from K8S-SOURCES.md next to the source folder)")
    parser.add_argument("--output", type=Path, default=GENERATED_FILE)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the output file is not up to date")
    parser.add_argument("--quiet", action="store_true", help="no report")
    args = parser.parse_args(argv)
    text, concepts = generate(args.source, args.commit)
    if not args.quiet:
        print(report(concepts), file=sys.stderr)
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8", newline="\n")
        if not args.quiet:
            print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
