"""Bringing posts in: Markdown files with YAML front matter, WordPress exports (WXR)."""
