"""Turning authors' text into safe HTML: Markdown rendering, HTML sanitizing, URL slugs."""
