"""Scoring judged queries (the format and rule of the shared corpus' README).

A TSV with header ``query<TAB>relevant<TAB>note``; ``relevant`` lists slugs best first,
or ``-`` when nothing should be found. A row passes when its first relevant slug is in
the top 3 and all relevant slugs are in the top 10 (for ``-``: no results at all).
"""

from dataclasses import dataclass, field


@dataclass
class Judgement:
    query: str
    relevant: list
    note: str = ""


@dataclass
class Outcome:
    judgement: Judgement
    returned: list
    passed: bool
    reciprocal_rank: float
    recall: float


@dataclass
class Report:
    outcomes: list = field(default_factory=list)

    @property
    def judged(self):
        return [o for o in self.outcomes if o.judgement.relevant]

    @property
    def passed(self):
        return sum(o.passed for o in self.outcomes)

    @property
    def mrr(self):
        rows = self.judged
        return sum(o.reciprocal_rank for o in rows) / len(rows) if rows else 0.0

    @property
    def recall(self):
        rows = self.judged
        return sum(o.recall for o in rows) / len(rows) if rows else 0.0

    def as_dict(self):
        return {
            "queries": len(self.outcomes),
            "passed": self.passed,
            "mrr_at_10": round(self.mrr, 4),
            "recall_at_10": round(self.recall, 4),
            "failures": [
                {"query": o.judgement.query, "relevant": o.judgement.relevant,
                 "returned": o.returned, "note": o.judgement.note}
                for o in self.outcomes if not o.passed
            ],
        }


class JudgementFileError(ValueError):
    """The judged-query file is not in the expected format."""


def read_judgements(path):
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    if not lines or lines[0].split("\t")[:2] != ["query", "relevant"]:
        raise JudgementFileError(f"{path}: the first line must be 'query<TAB>relevant<TAB>note'")
    judgements = []
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) < 2 or not columns[0].strip():
            raise JudgementFileError(f"{path}:{number}: expected 'query<TAB>relevant'")
        relevant = [] if columns[1].strip() == "-" else [
            slug.strip() for slug in columns[1].split(",") if slug.strip()
        ]
        judgements.append(Judgement(columns[0], relevant, columns[2] if len(columns) > 2 else ""))
    return judgements


def score(judgement, returned):
    top10 = returned[:10]
    relevant = judgement.relevant
    if not relevant:
        return Outcome(judgement, top10, not returned, 0.0, 0.0)
    ranks = [top10.index(slug) + 1 for slug in relevant if slug in top10]
    passed = relevant[0] in top10[:3] and len(ranks) == len(relevant)
    return Outcome(judgement, top10, passed, 1.0 / min(ranks) if ranks else 0.0,
                   len(ranks) / len(relevant))


def evaluate(judgements, search):
    """``search(query) -> [slug, ...]`` ranked; returns a :class:`Report`."""
    return Report([score(j, search(j.query)) for j in judgements])
