"""Bundled demo articles, loaded by ``flask load-demo`` and on the first ``make run``."""

from pathlib import Path

ARTICLES_DIR = Path(__file__).parent / "articles"
