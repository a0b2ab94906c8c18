"""What readers see: the front page, articles and the archives."""
