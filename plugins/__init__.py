"""Bundled plugins (loaded through the plugin manager, never imported by the core)."""
