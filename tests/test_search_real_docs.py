"""Search quality on real pages: the Kubernetes "Concepts" docs, en and zh-cn.

The pages come from ``../shared/corpus/k8s-docs-hugo`` (The Kubernetes Authors, CC BY 4.0,
see ``../shared/corpus/K8S-SOURCES.md``), converted at run time by ``tests/hugo_docs.py``
and imported through the real importer. The judged queries in
``tests/data/k8s_docs_queries.tsv`` were written by reading the pages; ``bench/docs_quality.py``
scores the same queries against a plain Whoosh + jieba baseline.
"""

import re
from collections import defaultdict
from pathlib import Path

import pytest

from blogapp import create_app
from blogapp.database import create_schema
from blogapp.search.evaluation import evaluate, read_judgements

import hugo_docs
from conftest import close_app, shared_path

QUERIES = Path(__file__).parent / "data" / "k8s_docs_queries.tsv"

# Floors, a little under what the search reaches (55/71 passed, MRR@10 0.865 after issue
# #14; 47/71, 0.758 when the queries were written; ties may order differently per build).
# Raise as search improves; never lower them to make a change pass.
MIN_PASSED = 53
MIN_MRR = 0.84

pytestmark = pytest.mark.db_agnostic  # an SQLite app of its own, whichever database the run uses


def kind(note):
    """The kind a judged row is filed under: the note's first word (``en``, ``typo`` ...)."""
    match = re.match(r"[a-z]+", note)
    return match.group(0) if match else "other"


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """``(app, pages)``: every converted page imported once for the module."""
    source = shared_path("corpus", "k8s-docs-hugo")
    folder = tmp_path_factory.mktemp("k8s-docs")
    pages = hugo_docs.convert(folder / "md", source)
    instance = folder / "instance"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SEARCH_AUTO_REBUILD": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'docs.sqlite'}"},
                     instance_path=instance)
    with app.app_context():
        create_schema()
    counts = hugo_docs.import_pages(app, folder / "md")
    assert counts == {"created": len(pages), "updated": 0, "failed": 0}
    yield app, pages, folder / "md"
    close_app(app)


def test_judged_queries_on_real_docs(docs):
    app, pages, _ = docs
    judgements = read_judgements(QUERIES)
    unknown = {slug for j in judgements for slug in j.relevant} - set(pages)
    assert not unknown, f"judged slugs that no page has: {sorted(unknown)}"
    service = app.extensions["search"]
    with app.app_context():
        report = evaluate(judgements, lambda q: [h["slug"] for h in service.search(q).hits])
    by_kind = defaultdict(list)
    for outcome in report.outcomes:
        by_kind[kind(outcome.judgement.note)].append(outcome.passed)
    print(f"\nreal docs: passed {report.passed}/{len(judgements)}, MRR@10 {report.mrr:.3f}, "
          f"recall@10 {report.recall:.3f}; by kind: "
          + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(by_kind.items())))
    for outcome in report.outcomes:
        if not outcome.passed:
            print(f"FAIL [{kind(outcome.judgement.note)}] {outcome.judgement.query!r}: want "
                  f"{','.join(outcome.judgement.relevant) or '-'}; got "
                  f"{','.join(outcome.returned[:5]) or 'nothing'}")
    assert report.passed >= MIN_PASSED, report.as_dict()["failures"]
    assert report.mrr >= MIN_MRR, report.as_dict()["failures"]


def test_every_page_is_converted_and_searchable(docs):
    app, pages, folder = docs
    assert sum(p["lang"] == "en" for p in pages.values()) == 164
    assert sum(p["lang"] == "zh" for p in pages.values()) == 155
    lifecycle = (folder / "zh-concepts-workloads-pods-pod-lifecycle.md").read_text(encoding="utf-8")
    assert "Pod 的生命周期" in lifecycle and "This page describes" not in lifecycle
    assert not re.search(r"\{\{[<%]|<!--|\{#", lifecycle)
    with app.app_context():
        hits = app.extensions["search"].search("Pod 的生命周期").hits
    assert "zh-concepts-workloads-pods-pod-lifecycle" in [h["slug"] for h in hits]


def test_page_slugs():
    slug = hugo_docs.page_slug
    assert (slug("en", Path("workloads/pods/pod-lifecycle.md"))
            == "en-concepts-workloads-pods-pod-lifecycle")
    assert slug("zh-cn", Path("storage/_index.md")) == "zh-concepts-storage"
    assert slug("en", Path("_index.md")) == "en-concepts"


def test_shortcodes_become_plain_text():
    text = """<!--
English original
-->
中文段落，{{< glossary_tooltip text="节点" term_id="node" >}} 和
{{< glossary_tooltip term_id="pod" >}}。

## 小节   {#a-section}

{{< note >}}
注意内容。
{{< /note >}}
{{< feature-state for_k8s_version="v1.29" state="stable" >}}
{{% code_sample file="pods/simple-pod.yaml" %}}
{{< figure src="/images/x.svg" alt="hidden alt" caption="图 1：说明" >}}
{{< comment >}}a note to editors{{< /comment >}}
{{% heading "whatsnext" %}}

```yaml
kind: Pod
```
"""
    out = hugo_docs.hugo_to_markdown(text, "zh", {"pod": "Pod"})
    assert "English original" not in out and "a note to editors" not in out
    assert "节点 和\nPod。" in out and "## 小节\n" in out and "注意内容。" in out
    assert "图 1：说明" in out and "hidden alt" not in out and "接下来" in out
    assert "```yaml\nkind: Pod\n```" in out
    assert "{{" not in out and "v1.29" not in out and "simple-pod" not in out


def test_code_shortcodes_become_fences():
    text = ('{{< tabs name="t" >}}\n{{< tab name="get job" codelang="bash" >}}\nkind: Job\n'
            '{{< /tab >}}\n{{< /tabs >}}\n'
            'A {{< highlight promql "hl_inline=true" >}}rate(x){{< /highlight >}} query.\n'
            '{{< mermaid >}}\ngraph LR; A-->B\n{{</ mermaid >}}\n'
            'See {{< api-reference page="workload-resources/stateful-set-v1" >}}.')
    out = hugo_docs.hugo_to_markdown(text)
    assert "get job\n\n```bash\nkind: Job\n```" in out
    assert "A `rate(x)` query." in out and "```mermaid\ngraph LR; A-->B\n```" in out
    assert "See StatefulSet." in out
