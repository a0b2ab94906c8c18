"""Snippets: which words are marked, where the window goes, and that output is escaped."""

from blogapp.search.highlight import SNIPPET_CHARS, snippet


def test_english_words_whole_with_plurals():
    text = "Maintainers add taints to nodes; a taint repels pods. Certain maintain."
    html = snippet(text, {("taint",), ("pod",)})
    assert "<mark>taints</mark>" in html and "<mark>taint</mark>" in html
    assert "<mark>pods</mark>" in html
    assert "Main<mark>" not in html and "Cer<mark>" not in html and "main<mark>" not in html


def test_full_width_text_is_matched_in_place():
    text = "前言。给节点打上ＴＡＩＮＴ，之后（Ｐｏｄ）不再调度；ｋｕｂｅ－ｐｒｏｘｙ 也一样。"
    html = snippet(text, {("taint",), ("pod",), ("kube", "proxy")})
    assert "<mark>ＴＡＩＮＴ</mark>" in html and "<mark>Ｐｏｄ</mark>" in html
    assert "<mark>ｋｕｂｅ－ｐｒｏｘｙ</mark>" in html


def test_window_goes_where_most_distinct_words_are():
    filler = "无关的内容。" * 60
    text = f"{filler}etcd 出现一次。{filler}备份 etcd 快照，恢复 etcd 快照。{filler}"
    html = snippet(text, {("etcd",), ("备份",), ("快照",)})
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>备份</mark>" in html and html.count("<mark>快照</mark>") == 2
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= SNIPPET_CHARS + 2


def test_phrase_words_are_marked_only_together():
    html = snippet("rolling update: a rolling restart and an update later", {("rolling", "update")})
    assert html.count("<mark>") == 1 and "<mark>rolling update</mark>" in html


def test_output_is_escaped():
    html = snippet("<script>alert(1)</script> etcd & co", {("etcd",)})
    assert "<script>" not in html and "&lt;script&gt;" in html and "<mark>etcd</mark>" in html
