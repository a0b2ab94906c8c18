"""The analyzer: identifiers, hyphens, CamelCase, width/case folding, Chinese words."""

import pytest

from blogapp.search.analysis import Analyzer, singular
from blogapp.search.glossary import Glossary


pytestmark = pytest.mark.db_agnostic  # the analyzer uses no database


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(Glossary.load().cjk_words())


def index_tokens(analyzer, text):
    return [(t.text, t.pos) for t in analyzer.tokens(text, "index")]


def test_hyphenated_term_indexed_whole_parts_and_joined(analyzer):
    tokens = index_tokens(analyzer, "kube-proxy 转发")
    assert ("kube-proxy", 0) in tokens and ("kubeproxy", 0) in tokens
    assert ("kube", 0) in tokens and ("proxy", 1) in tokens  # parts keep phrase positions
    assert ("转发", 2) in tokens


@pytest.mark.parametrize("identifier", ["k8s", "ipvs", "etcd", "coredns", "iptables", "kubectl"])
def test_identifiers_are_not_stemmed_away(analyzer, identifier):
    assert identifier in analyzer.words(identifier.upper(), "index")


def test_plural_adds_singular_but_keeps_the_word(analyzer):
    words = analyzer.words("taints pods policies ingresses", "index")
    for word in ["taints", "taint", "pods", "pod", "policies", "policy", "ingresses", "ingress"]:
        assert word in words
    assert singular("status") is None and singular("k8s") is None


def test_full_width_and_case_are_folded(analyzer):
    assert analyzer.words("ＨＰＡ Ｋｕｂｅ－ｐｒｏｘｙ", "index")[:2] == ["hpa", "kube-proxy"]


def test_camel_case_kinds_split_into_words(analyzer):
    tokens = index_tokens(analyzer, "HorizontalPodAutoscaler")
    assert ("horizontalpodautoscaler", 0) in tokens
    assert [("horizontal", 0), ("pod", 1), ("autoscaler", 2)] == [
        t for t in tokens if t[0] in ("horizontal", "pod", "autoscaler")
    ]


def test_dotted_and_slashed_terms(analyzer):
    words = analyzer.words("autoscaling/v2 k8s.io", "index")
    assert {"autoscaling/v2", "autoscaling", "v2", "k8s.io", "k8s", "io"} <= set(words)


def test_two_character_chinese_words(analyzer):
    for text, word in [("给节点打上污点", "污点"), ("集群内的服务发现", "服务"), ("调度器负责调度", "调度")]:
        assert word in analyzer.words(text, "index"), text


def test_glossary_words_are_kept_whole_with_subwords(analyzer):
    words = analyzer.words("配置Pod反亲和性规则", "index")
    assert "反亲和性" in words and "亲和性" in words


def test_mixed_script_splits_at_the_boundary(analyzer):
    assert analyzer.words("init容器和Ingress控制器", "query")[:2] == ["init", "容器"]


def test_query_mode_gives_compound_parts(analyzer):
    (token,) = list(analyzer.tokens("kube-proxy", "query"))
    assert token.text == "kube-proxy" and token.parts == ("kube", "proxy")


@pytest.mark.parametrize("text", [
    "Horizontal Pod Autoscaler 与 horizontal-pod-autoscalers：ＨＰＡ 按 CPU 扩容",
    "kube-proxy 的 KubeProxyConfiguration，kube proxy 和 kube-proxy 再次出现",
    "rolling updates 与 rolling update，滚动更新；滚动更新！https://k8s.io/docs/a/b/c/d/e",
    "", "。。。", "ETCDCTL_API=3 etcdctl snapshot save /var/lib/etcd",
])
def test_fast_index_tokens_equal_the_token_stream(text):
    glossary = Glossary.load()
    words = glossary.cjk_words()
    analyzer = Analyzer(words, glossary.multiword_terms(Analyzer(words)))
    expected = index_tokens(analyzer, text)
    assert analyzer.index_tokens(text) == expected
    assert analyzer.index_tokens(text) == expected  # again, from the run caches
