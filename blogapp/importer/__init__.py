"""Bringing posts in from files (Markdown with YAML front matter)."""
