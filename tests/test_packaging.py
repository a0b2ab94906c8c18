"""The package as pip builds it: quiet (no setuptools warnings on every ``make install``)
and complete (the static files, catalogues, templates and migrations a site needs)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.db_agnostic


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out), str(PROJECT_ROOT)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheel = next(out.glob("blogapp-*.whl"))
    return result.stdout + result.stderr, set(zipfile.ZipFile(wheel).namelist())


def test_building_prints_no_setuptools_warnings(built):
    log, _ = built
    assert "would be ignored" not in log and "BuildBackendWarning" not in log


def test_the_wheel_holds_what_a_site_serves(built):
    _, names = built
    for name in ("blogapp/static/site.js", "blogapp/static/theme.js", "blogapp/static/favicon.svg",
                 "blogapp/static/site.css", "blogapp/translations/en/LC_MESSAGES/messages.mo",
                 "blogapp/search/data/k8s_glossary.tsv", "plugins/comments/templates/comments/section.html",
                 "plugins/antispam/static/antispam.css"):
        assert name in names, name
    assert any(n.startswith("plugins/comments/migrations/") and n.endswith(".py") for n in names)
    assert any(n.startswith("blogapp/demo/articles/") and n.endswith(".md") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]
