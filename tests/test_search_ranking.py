"""Our term-at-a-time ranking gives exactly what Whoosh's own BM25F matchers give
(plus the coordination bonus of the reader's words, added here independently).

The engine scores postings itself (blogapp/search/ranking.py) instead of walking
Whoosh's matcher trees; these tests build a real index with several segments and a
deleted document and compare scores, order and totals with Whoosh scoring the same
leaves without any top-k shortcut. (Whoosh is imported here only as the reference.)
"""

from datetime import datetime, timedelta, timezone

import pytest
from whoosh import query as wq

from blogapp.search.engine import WhooshIndex
from blogapp.search.engine.index import _alternative_query
from blogapp.search.engine.postings import _leaves, _Reads
from blogapp.search.engine.schema import BM25
from blogapp.search.ranking import coordination_factor
from blogapp.search.service import SearchService

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)

TEXTS = [
    ("kube-proxy 的 ipvs 模式", "kube-proxy 支持 iptables 和 ipvs 两种模式，集群规模大时用 ipvs。", ["网络"]),
    ("Service 与 kube proxy", "Service 通过 kube proxy 转发流量；Pod 重启后 Endpoints 会更新。", ["网络", "Service"]),
    ("HPA 自动扩缩容", "Horizontal Pod Autoscaler 根据 CPU 调整副本数，HPA 需要 metrics-server。", ["HPA"]),
    ("滚动更新与回滚", "Deployment 的 rolling update 逐个替换 Pod，出错时 kubectl rollout undo 回滚。", []),
    ("etcd 备份", "用 etcdctl snapshot save 备份 etcd，恢复用 snapshot restore。etcd etcd etcd。", ["etcd"]),
    ("节点亲和性", "node affinity 和 Pod 反亲和 决定 Pod 调度到哪些节点。", ["调度"]),
    ("Pod 的生命周期", "Pod 从 Pending 到 Running，探针决定 Pod 是否就绪。" * 3, ["Pod"]),
    ("Cluster upgrade notes", "Upgrading a cluster: drain each node, upgrade kubelet, uncordon. Pods move.", []),
    ("污点与容忍", "给节点打上 taint 之后，只有带 toleration 的 Pod 才能调度上来。", ["调度"]),
    ("Ingress 金丝雀发布", "Ingress NGINX 的 canary 注解实现金丝雀发布，按权重把流量切给新版本。", ["网络"]),
]

QUERIES = ["kube-proxy", "Pod", "HPA 扩容", "etcd 备份", "集群升级", "调度 节点",
           '"rolling update"', "Pod -etcd", "金丝雀 tag:网络", "污点 Pod 节点 集群"]


def document(analyzer, number, title, body, tags, deleted_later=False, published_at=None):
    text = {"title": title, "tags": " ".join(tags), "body": body}
    return {
        "id": number, "slug": f"post-{number}",
        "published_at": published_at or NOW - timedelta(days=number),
        "scheduled": False, "author_keys": ["zoro"], "author_name": "Zoro",
        "tag_keys": sorted({t.lower() for t in tags}), "category_keys": [],
        "text": text,
        "tokens": {name: [(t.text, t.pos) for t in analyzer.tokens(value, "index")]
                   for name, value in text.items()},
    }


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    root = tmp_path_factory.mktemp("ranking")
    service = SearchService(root / "service")
    (root / "index").mkdir()
    index = WhooshIndex.create(root / "index")
    docs = [document(service.analyzer, n, *fields) for n, fields in enumerate(TEXTS, 1)]
    # Three commits: three segments; then one document replaced (a deletion remains).
    index.write(docs[:4])
    index.write(docs[4:7])
    index.write(docs[7:])
    replaced = dict(docs[2], text={**docs[2]["text"], "title": "HPA 与 VPA"})
    index.write([replaced])
    yield service, index
    index.close()


def whoosh_reference(searcher, plan):
    """Whoosh's own scores of the plan's leaves, with no top-k pruning, plus the
    coordination bonus of each of the reader's words a document holds (when there are
    several), found here from Whoosh's posting lists (deleted documents included, as
    in Whoosh's document frequencies)."""
    reads = _Reads(searcher)
    clauses = []
    for clause in plan.clauses:
        leaves = [_alternative_query(field, alt) for field, alt, _ in _leaves(reads, clause)]
        if leaves:
            clauses.append(wq.Or(leaves, boost=clause.weight))
    results = searcher.search(wq.Or(clauses), limit=None, optimize=False)
    scores = {hit.docnum: hit.score for hit in results}
    units = {}
    for clause in plan.clauses:
        for field, alt, _ in _leaves(reads, clause):
            if len(alt.tokens) == 1:
                ids = searcher.reader().postings(field, alt.tokens[0]).all_ids()
                for unit in clause.units:
                    units.setdefault(unit, set()).update(ids)
    if len(units) > 1:
        for docs in units.values():
            bonus = coordination_factor(len(docs), searcher.doc_count_all(), BM25.K1)
            for doc in docs & scores.keys():
                scores[doc] += bonus
    return scores


@pytest.mark.parametrize("text", QUERIES)
def test_scores_order_and_total_match_whoosh(indexed, text):
    service, index = indexed
    plan = service.planner.plan(text)
    total, hits = index.search(plan, page=1, per_page=50, sort="relevance", now=NOW)
    searcher = index.searcher()
    assert len(searcher.reader().leaf_readers()) >= 3 and searcher.reader().has_deletions()
    reference = whoosh_reference(searcher, plan)
    by_id = {int(searcher.stored_fields(d)["id"]): score for d, score in reference.items()}
    excluded = {n for n, (title, body, _) in enumerate(TEXTS, 1)
                for clause in plan.excluded if clause.label in f"{title} {body}"}
    tagged = None
    if plan.filters:
        tagged = {i for i in by_id if set(TEXTS[i - 1][2]) & set(plan.filters["tag"])}
    expected = {i: s for i, s in by_id.items() if i not in excluded and (tagged is None or i in tagged)}
    assert total == len(expected) > 0
    assert {hit["id"]: hit["score"] for hit in hits} == {i: round(s, 4) for i, s in expected.items()}
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_phrase_needs_the_words_in_order(indexed):
    service, index = indexed
    total, hits = index.search(service.planner.plan('"kube proxy"'), 1, 10, "relevance", NOW)
    # "kube-proxy" and "kube proxy" are both the phrase; "proxy ... kube" would not be.
    assert total == 2 and {hit["slug"] for hit in hits} == {"post-1", "post-2"}
    total, _ = index.search(service.planner.plan('"proxy kube"'), 1, 10, "relevance", NOW)
    assert total == 0


def test_replaced_document_is_counted_once(indexed):
    service, index = indexed
    total, hits = index.search(service.planner.plan("HPA"), 1, 10, "relevance", NOW)
    assert total == 1 and hits[0]["title"] == "HPA 与 VPA"
