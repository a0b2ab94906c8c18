"""Hugo shortcodes to Markdown (``blogapp.importer.hugo_shortcodes``): what each known one
becomes, warnings with lines for unknown ones, errors for ones left open."""

import pytest

from blogapp.content.rendering import markdown_to_html
from blogapp.importer.hugo_shortcodes import ShortcodeError, convert

pytestmark = pytest.mark.db_agnostic


def html_of(text, **options):
    converted = convert(text, **options)
    return markdown_to_html(converted.markdown), converted.warnings


def test_callouts_are_styled_blocks_labelled_in_the_page_language():
    html, warnings = html_of("{{< note >}}\nUse **labels**.\n{{< /note >}}\n\n"
                             "{{< warning >}}Careful{{< /warning >}}", language="zh")
    assert ('<div class="callout callout-note">\n<div class="callout-title"><strong>说明</strong></div>\n'
            '<p>Use <strong>labels</strong>.</p>') in html
    assert ('<div class="callout callout-warning">\n<div class="callout-title"><strong>警告</strong></div>\n'
            '<p>Careful</p>') in html
    assert warnings == []
    english, _ = html_of("{{% caution %}}Mind it{{% /caution %}}", language="en")
    assert "<strong>Caution</strong>" in english


def test_figure_glossary_mermaid_youtube_and_code_samples():
    files = {"/images/pod.svg": "", "pods/simple.yaml": "kind: Pod\n"}
    text = ('A {{< glossary_tooltip text="Pod" term_id="pod" >}} and a {{< glossary_tooltip term_id="node" >}}.\n\n'
            '{{< figure src="/images/pod.svg" alt="A pod" caption="Figure 1" >}}\n\n'
            '{{< figure src="/images/gone.png" alt="Gone" caption="Lost figure" >}}\n\n'
            '{{< mermaid >}}\ngraph TD; A-->B\n{{< /mermaid >}}\n\n'
            '{{< youtube dQw4w9WgXcQ >}}\n\n'
            '{{% code_sample file="pods/simple.yaml" %}}\n\n{{% code_sample file="pods/missing.yaml" %}}\n')
    converted = convert(text, first_line=10, find_file=files.get)
    markdown = converted.markdown
    assert "A Pod and a node." in markdown
    assert "![A pod](/images/pod.svg)\n\n*Figure 1*" in markdown
    assert "*Lost figure — Gone*" in markdown
    assert "```mermaid\ngraph TD; A-->B\n```" in markdown
    assert "[YouTube: dQw4w9WgXcQ](https://www.youtube.com/watch?v=dQw4w9WgXcQ)" in markdown
    assert "`pods/simple.yaml`\n\n```yaml\nkind: Pod\n```" in markdown
    assert "Example file: `pods/missing.yaml`" in markdown
    assert converted.warnings == [(14, "figure image '/images/gone.png' not found: kept its caption and alt text")]


def test_feature_state_on_its_own_line_is_never_the_excerpt():
    from blogapp.content.rendering import render_article

    text = ('{{< feature-state for_k8s_version="v1.30" state="beta" >}}\n\nPods run.\n\n'
            '## Gates {{< feature-state feature_gate_name="SidecarContainers" >}}\n')
    rendered = render_article(convert(text).markdown)
    assert rendered.excerpt_html == "<p>Pods run.</p>"
    assert '<div class="feature-state"><em>FEATURE STATE: Kubernetes v1.30 [beta]</em></div>' in rendered.html
    assert "Gates <em>Feature gate: SidecarContainers</em></h2>" in rendered.html


def test_tabs_become_headed_sections_below_the_current_heading():
    text = ("## Install\n\n{{< tabs name=\"os\" >}}\n{{% tab name=\"Linux\" %}}\nUse apt.\n{{% /tab %}}\n"
            "{{< tab name=\"Shell\" codelang=\"bash\" >}}\necho hi\n{{< /tab >}}\n{{< /tabs >}}\n")
    markdown = convert(text).markdown
    assert "### Linux\n\nUse apt." in markdown
    assert "### Shell\n\n```bash\necho hi\n```" in markdown


def test_unknown_shortcodes_keep_their_text_with_a_warning_naming_the_line():
    converted = convert("intro\n\n{{< box >}}inside **text**{{< /box >}}\nv{{< skew currentVersion >}}\n",
                        first_line=5)
    assert "inside **text**" in converted.markdown and "{{" not in converted.markdown
    assert converted.warnings == [(7, "unknown shortcode 'box': kept its text"),
                                  (8, "unknown shortcode 'skew': kept its text")]


def test_comments_are_dropped_with_the_shortcodes_in_them_but_more_stays():
    converted = convert("Lead.\n\n<!--more-->\n\n<!--\n{{< note >}}\nEnglish\n{{< /note >}}\n-->\n中文\n")
    assert converted.markdown == "Lead.\n\n<!--more-->\n\n中文\n"


@pytest.mark.parametrize("text, line, message", [
    ("a\n{{< note >}}\nopen", 3, "shortcode 'note' is opened but never closed"),
    ("a\n\nb {{< glossary_tooltip text=\"x\"", 4, "shortcode '{{<' is never closed with '>}}'"),
    ("{{% /tab %}}", 2, "closing shortcode 'tab' was never opened"),
])
def test_shortcodes_left_open_are_errors_with_their_line(text, line, message):
    with pytest.raises(ShortcodeError) as error:
        convert(text, first_line=2)
    assert (error.value.line, str(error.value)) == (line, message)
