"""The editor's language and translation fields (#16)."""

from blogapp.extensions import db
from blogapp.models import Post
from conftest import csrf_token, login


def save(client, path, **fields):
    data = {"title": "", "slug": "", "body": "", "category": "", "tags": "", "published_at": "",
            "language": "", "translation_of": "", **fields}
    data["csrf_token"] = csrf_token(client, path)
    data["save"] = "保存"
    return client.post(path, data=data)


def state(app, *slugs):
    with app.app_context():
        rows = {p.slug: p for p in db.session.scalars(db.select(Post).where(Post.slug.in_(slugs)))}
        return {slug: (rows[slug].language, rows[slug].translation_group) for slug in rows}


def test_authors_set_the_language_and_link_a_translation(app, client, make_user, make_post):
    me = make_user("luffy")
    make_post("yuanwen", me, title="原文", body="这是一篇中文文章。")
    other = make_post("zoros", make_user("zoro"), title="Zoro", body="Someone else's post.")
    login(client, "luffy")
    response = save(client, "/admin/posts/new", title="The original", slug="original",
                    body="An English text.", translation_of="/posts/yuanwen")
    assert response.status_code == 302, response.get_data(as_text=True)
    rows = state(app, "original", "yuanwen")
    group = rows["original"][1]
    assert group and rows == {"original": ("en", group), "yuanwen": ("zh", group)}
    with app.app_context():
        post_id = db.session.scalar(db.select(Post.id).filter_by(slug="original"))
    edit = f"/admin/posts/{post_id}/edit"
    assert 'value="yuanwen"' in client.get(edit).get_data(as_text=True)

    # Same language, someone else's post, an unknown slug: refused with a message, nothing saved.
    for fields, message in [({"language": "zh"}, "两篇文章语言相同"),
                            ({"translation_of": "zoros"}, "你只能关联自己能编辑的文章"),
                            ({"translation_of": "nope"}, "没有 URL 别名为“nope”的文章")]:
        response = save(client, edit, title="The original", slug="original", body="An English text.",
                        **{"translation_of": "yuanwen", **fields})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert state(app, "original", "yuanwen") == {"original": ("en", group), "yuanwen": ("zh", group)}
    assert state(app, "zoros")["zoros"][1] is None and other

    response = save(client, edit, title="The original", slug="original", body="An English text.")
    assert response.status_code == 302
    assert state(app, "original", "yuanwen") == {"original": ("en", None), "yuanwen": ("zh", None)}
