"""URL slugs. Chinese is kept as-is (browsers show it, URLs percent-encode it)."""

from slugify import slugify


def make_slug(text, max_length=120):
    """``"Kubernetes 认证 & 授权"`` -> ``"kubernetes-认证-授权"``; empty when nothing usable."""
    return slugify(text or "", allow_unicode=True, max_length=max_length, word_boundary=False)
