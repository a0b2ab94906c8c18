"""The shortcuts of the scoring path give what scoring everything would give.

- ``engine/blocks.py`` decodes Whoosh's posting blocks itself (ids and weights without
  positions): it must read exactly what Whoosh's matcher reads, over many blocks.
- ``engine/scoring.py`` checks phrase positions only where they can change the total or
  the requested page: every page (beyond the first too), the total and the date order
  must equal those of a ranking with no page limit (which checks every phrase candidate),
  and scores must equal Whoosh's own full scoring, on an index of several segments with
  deletions, multi-block posting lists, phrases and tied scores.
- ``ranking.score_terms`` (MaxScore) leaves common low-bound words out of most documents'
  scores: on a corpus of rare and very common words, every first ``count`` (documents,
  order, float scores, total) must equal the ranking of every matched document, with
  filters and hidden documents, including pages that the common words decide.
"""

import random
from datetime import datetime, timedelta, timezone

import pytest

from blogapp.search.engine import WhooshIndex
from blogapp.search.engine.blocks import term_postings
from blogapp.search.engine.postings import _Reads
from blogapp.search.engine.scoring import rank
from blogapp.search.service import SearchService
from tests.test_search_ranking import document as ranking_document
from tests.test_search_ranking import whoosh_reference

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
WORDS = ["集群", "节点", "Pod", "kube-proxy", "kube proxy", "proxy kube", "ipvs", "etcd 备份",
         "滚动更新", "rolling update", "update rolling", "调度", "污点", "HPA", "金丝雀"]
QUERIES = ["kube-proxy", "kube proxy ipvs", '"kube proxy"', "rolling update 集群", "Pod 节点",
           "etcd 备份 调度", "HPA -Pod", "污点 tag:网络", "proxy", '"集群 节点" Pod', '"节点 调度"']


def posts(count=420, seed=7):
    rng = random.Random(seed)
    for number in range(1, count + 1):
        if number % 50 == 0:  # copies of post 1: tied scores, told apart by document number
            rng_copy = random.Random(seed * 1000 + 1)
            words = rng_copy.choices(WORDS, k=12)
        else:
            words = rng.choices(WORDS, k=rng.randint(3, 40))
        yield number, " ".join(words[:3]), " ".join(words), ["网络"] if number % 3 else []


def document(analyzer, number, title, body, tags):
    # Dates that are not in document order, for the date-sorted pages.
    return ranking_document(analyzer, number, title, body, tags,
                            published_at=NOW - timedelta(hours=number * 7 % 101))


def build_index(root, fields, cuts, deletes, replaced):
    """An index of the posts ``fields`` in one segment per slice between ``cuts``, then
    ``deletes`` deleted and post ``replaced`` written again with another title."""
    service = SearchService(root / "service")
    (root / "index").mkdir()
    index = WhooshIndex.create(root / "index")
    docs = [document(service.analyzer, *post) for post in fields]
    for start, end in zip([0, *cuts], [*cuts, len(docs)]):
        index.write(docs[start:end])
    index.write(deletes=deletes)
    number, title = replaced
    index.write([dict(docs[number], text={**docs[number]["text"], "title": title})])
    return service, index


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    # Segments of 300 and 100 documents: "集群" has more than one 128-posting block.
    service, index = build_index(tmp_path_factory.mktemp("pruning"), posts(), [300, 400],
                                 [7, 120, 350], (9, "kube proxy 调度"))
    yield service, index
    index.close()


def test_block_decoding_reads_what_whoosh_reads(indexed):
    _, index = indexed
    reader = index.searcher().reader().leaf_readers()[0][0]
    assert reader.doc_frequency("body", "集群") > 128  # several blocks
    for token in ("集群", "kube", "proxy", "ipvs"):
        matcher = reader.postings("body", token)
        matcher = getattr(matcher, "child", matcher)
        expected = []
        while matcher.is_active():
            expected.append((matcher.id(), matcher.weight(), matcher.value()))
            matcher.next()
        found = term_postings(reader.postings("body", token), values=True)
        if found is None:  # deletions wrap the matcher: unwrap as postings.py does
            found = term_postings(reader.postings("body", token).child, values=True)
        ids, weights, values = found
        assert list(zip(ids, weights, (values.at(i) for i in range(len(ids))))) == expected


@pytest.mark.parametrize("text", QUERIES)
def test_every_page_equals_the_full_ranking(indexed, text):
    service, index = indexed
    plan = service.planner.plan(text)
    searcher = index.searcher()
    assert len(searcher.reader().leaf_readers()) >= 3 and searcher.reader().has_deletions()
    total, full = index.search(plan, page=1, per_page=1000, sort="relevance", now=NOW)
    assert total == len(full) > 0
    for per_page in (1, 3, 10):
        for page in range(1, min(6, -(-total // per_page)) + 1):
            page_total, hits = index.search(plan, page, per_page, "relevance", NOW)
            assert page_total == total
            assert hits == full[(page - 1) * per_page:page * per_page]
    dated_total, dated = index.search(plan, page=1, per_page=1000, sort="date", now=NOW)
    assert dated_total == total and {h["id"] for h in dated} == {h["id"] for h in full}
    assert [h["published_at"] for h in dated] == sorted((h["published_at"] for h in dated), reverse=True)
    _, second = index.search(plan, page=2, per_page=5, sort="date", now=NOW)
    assert second == dated[5:10]


# The reference ORs the clauses: no exclusions, filters, or quoted phrases beside other words.
@pytest.mark.parametrize("text", [q for q in QUERIES if " -" not in q and ":" not in q
                                  and (q.count('"') == 0 or q[0] == q[-1] == '"')])
def test_full_ranking_equals_whoosh(indexed, text):
    service, index = indexed
    plan = service.planner.plan(text)
    searcher = index.searcher()
    reference = whoosh_reference(searcher, plan)
    expected = {int(searcher.stored_fields(d)["id"]): round(s, 4) for d, s in reference.items()}
    total, hits = index.search(plan, page=1, per_page=1000, sort="relevance", now=NOW)
    assert total == len(expected)
    assert {hit["id"]: hit["score"] for hit in hits} == expected
    ranked = [(-hit["score"], hit["id"]) for hit in hits]
    assert [s for s, _ in ranked] == sorted(s for s, _ in ranked)


def test_ties_are_broken_by_document_number(indexed):
    service, index = indexed
    plan = service.planner.plan("kube-proxy ipvs 集群")
    reads = _Reads(index.searcher())
    _, best = rank(reads, plan.clauses, None, set(), 1000)
    scores = [score for _, score in best]
    assert len(scores) != len(set(scores))  # the copies tie
    assert best == sorted(best, key=lambda item: (-item[1], item[0]))
    for count in (1, 5, 17):
        assert rank(_Reads(index.searcher()), plan.clauses, None, set(), count)[1] == best[:count]


# MaxScore (ranking.score_terms): rare words with high bounds, words in nearly every post
# with low ones. A group of equally long posts holds the rare word "金丝雀" once and "集群"
# a different number of times: the low-bound word decides their order.
COMMON = ["集群", "节点", "Pod", "部署", "服务"]
RARE = ["ipvs", "etcd", "金丝雀", "污点", "HPA"]
MAXSCORE_QUERIES = ["金丝雀 集群", "ipvs 集群 节点", "etcd 集群 Pod 部署 服务", "金丝雀 部署 -节点",
                    "HPA 集群 tag:网络", '"集群 节点" etcd 服务 Pod', "污点 服务 节点", "ipvs etcd 集群 Pod",
                    '金丝雀 "Pod 部署" 集群 服务', "集群 节点",
                    '"服务 ipvs" "节点 集群" 金丝雀 部署']


def maxscore_posts(count=640, seed=11):
    rng = random.Random(seed)
    for number in range(1, count + 1):
        if number % 40 == 0:  # the group: same length, same rare word, "集群" decides
            times = number // 40 % 5
            body = ["金丝雀"] + ["集群"] * times + ["日志"] * (8 - times)
        elif number % 45 == 0:  # copies: ties, told apart by document number
            body = ["ipvs", "etcd", "集群", "集群", "节点", "Pod", "服务", "日志"]
        else:
            body = [word for word in COMMON for _ in range(rng.randint(1, 4)) if rng.random() < 0.9]
            body += [word for word in RARE if rng.random() < 0.04]
            body += ["日志"] * rng.randint(0, 30)
            rng.shuffle(body)
        yield number, " ".join(body[:2]), " ".join(body), ["网络"] if number % 4 else []


@pytest.fixture(scope="module")
def common_words(tmp_path_factory):
    service, index = build_index(tmp_path_factory.mktemp("maxscore"), maxscore_posts(),
                                 [400, 600], [80, 90, 450], (119, "金丝雀 集群"))
    yield service, index
    index.close()


@pytest.fixture
def spy(monkeypatch):
    """Counts the pruned rankings and the terms added only to candidates."""
    import blogapp.search.engine.scoring as scoring
    from blogapp.search.ranking import ScoreTable

    seen = {"pruned": 0, "lookups": 0}
    score_terms, add_some = scoring.score_terms, ScoreTable.add_some

    def counted_score_terms(*args):
        candidates, threshold = score_terms(*args)
        seen["pruned"] += candidates is not None
        return candidates, threshold

    def counted_add_some(self, *args):
        seen["lookups"] += 1
        return add_some(self, *args)

    monkeypatch.setattr(scoring, "score_terms", counted_score_terms)
    monkeypatch.setattr(ScoreTable, "add_some", counted_add_some)
    return seen


@pytest.mark.parametrize("text", MAXSCORE_QUERIES)
def test_maxscore_gives_the_unpruned_ranking(common_words, spy, text):
    """Every first ``count`` (same documents, order, float scores, total) equals the
    ranking of every matched document, with filters and hidden documents too."""
    service, index = common_words
    plan = service.planner.plan(text)
    searcher = index.searcher()
    size = searcher.doc_count_all()
    rng = random.Random(text)
    cases = [(None, set()), (set(rng.sample(range(size), size // 2)), set()),
             (None, set(rng.sample(range(size), size // 5))),
             (set(rng.sample(range(size), size * 3 // 4)), set(rng.sample(range(size), 40)))]
    for allowed, hidden in cases:
        # A count above the number of matches leaves no threshold: nothing is pruned.
        total, full = rank(_Reads(searcher), plan.clauses, allowed, hidden, size)
        assert total == len(full) > 0
        for count in (1, 2, 3, 4, 5, 7, 10, 16, 25, 60):
            found = rank(_Reads(searcher), plan.clauses, allowed, hidden, count)
            assert found == (total, full[:count])
    assert spy["pruned"] > 0


def test_maxscore_prunes_and_low_bound_words_decide(common_words, spy):
    service, index = common_words
    plan = service.planner.plan("金丝雀 集群")
    searcher = index.searcher()
    total, best = rank(_Reads(searcher), plan.clauses, None, set(), 10)
    assert spy["pruned"] == 1 and spy["lookups"] > 0
    bodies = {docnum: searcher.stored_fields(docnum)["body"] for docnum, _ in best}
    group = [docnum for docnum, _ in best if bodies[docnum].count("日志") >= 4]
    times = [bodies[docnum].count("集群") for docnum in group]
    assert len(set(times)) > 1 and times == sorted(times, reverse=True)
    reference = whoosh_reference(searcher, plan)
    assert total == len(reference)
    assert {docnum: round(score, 6) for docnum, score in best} == {
        docnum: round(reference[docnum], 6) for docnum, _ in best}
