"""Query parsing: free text never fails; phrases, exclusions, filters, synonyms."""

import pytest

from blogapp.search.analysis import Analyzer
from blogapp.search.glossary import Glossary
from blogapp.search.query import MAX_QUERY_CHARS, QueryPlanner


pytestmark = pytest.mark.db_agnostic  # query parsing uses no database


@pytest.fixture(scope="module")
def planner():
    glossary = Glossary.load()
    return QueryPlanner(Analyzer(glossary.cjk_words()), glossary)


def alternatives(clause):
    return {alt.tokens for alt in clause.alternatives}


@pytest.mark.parametrize("text", [
    '"unterminated', 'a AND OR NOT b', "*", "field:", "title:(x", "\x00\x07\x1b[31m",
    "x" * 10_000, '""', "-", "author:", '-""', "((()))", "\\", "%s%n", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
])
def test_any_text_gives_a_plan(planner, text):
    plan = planner.plan(text)
    assert len(plan.text) <= MAX_QUERY_CHARS
    assert all("\x00" not in t for c in plan.clauses for a in c.alternatives for t in a.tokens)


def test_glossary_expands_across_languages(planner):
    (clause,) = planner.plan("污点").clauses
    # Plurals are looked up as their singular: the index holds both forms.
    assert {("污点",), ("taint",)} <= alternatives(clause)
    hpa = planner.plan("HPA").clauses[0]
    assert ("horizontal", "pod", "autoscaler") in alternatives(hpa)
    assert ("水平自动伸缩",) in alternatives(hpa)


@pytest.mark.parametrize("text", ["kube-proxy", "kube proxy", "kubeproxy", "KUBE-PROXY"])
def test_hyphen_variants_find_one_concept(planner, text):
    clause = planner.plan(text).clauses[0]
    assert {("kubeproxy",), ("kube", "proxy")} <= alternatives(clause)


def test_multiword_term_also_asks_for_its_parts(planner):
    labels = [c.label for c in planner.plan("etcd 备份").clauses]
    assert labels[0] == "etcd 备份" and "etcd" in labels and "备份" in labels


def test_phrase_exclusion_and_filters(planner):
    plan = planner.plan('"rolling update" -canary author:Luffy tag:HPA 分类:运维')
    assert [c.label for c in plan.required] == ["rolling update"]
    assert ("rolling", "update") in alternatives(plan.required[0])
    assert [c.label for c in plan.excluded] == ["canary"]
    assert alternatives(plan.excluded[0]) == {("canary",)}  # excluding is literal
    assert plan.filters == {"author": ["luffy"], "tag": ["hpa"], "category": ["运维"]}


def test_unknown_field_is_just_text(planner):
    labels = [c.label for c in planner.plan("clusterIP:None").clauses]
    assert "none" in " ".join(labels).lower() or "clusterip" in " ".join(labels).lower()
    assert not planner.plan("clusterIP:None").filters


def test_stopwords_alone_make_an_empty_query(planner):
    assert planner.plan("如何 的 the").is_empty
    assert planner.plan("").is_empty
