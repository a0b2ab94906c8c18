"""The JSON shape of search results, shared by the API and ``flask search --json``."""


def results_to_dict(results, url_for_slug=None):
    return {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "suggestion": results.suggestion,
        "results": [
            {
                "slug": hit["slug"],
                "title": hit["title"],
                "url": url_for_slug(hit["slug"]) if url_for_slug else f"/posts/{hit['slug']}",
                "snippet": hit["snippet"],
                "score": hit["score"],
                "author": hit["author_name"],
                "published_at": hit["published_at"].isoformat(),
                "lang": hit.get("lang"),
                # The same article in other languages, when it matched there too (#16).
                "other_versions": [
                    {**version, "url": url_for_slug(version["slug"]) if url_for_slug
                     else f"/posts/{version['slug']}"}
                    for version in hit.get("other_versions", ())],
            }
            for hit in results.hits
        ],
    }
