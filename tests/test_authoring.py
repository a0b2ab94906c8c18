"""Logging in and out, who may write, and the post editor (save, preview, publish, delete)."""

import re

import pytest

from blogapp.extensions import db
from blogapp.models import Category, Post, Tag, User
from conftest import PASSWORD, csrf_token, login

TEAM = [("admin", "admin"), ("editor", "nami"), ("author", "luffy"), ("author", "zoro"),
        ("moderator", "usopp")]


@pytest.fixture
def team(app):
    """One account per role; returns user ids by username (and by role for admin/editor)."""
    ids = {}
    with app.app_context():
        for role, username in TEAM:
            user = User(username=username, display_name=username.title(), role=role)
            user.set_password(PASSWORD)  # cheaply in tests (conftest)
            db.session.add(user)
            db.session.flush()
            ids[username] = user.id
        db.session.commit()
    ids["editor"], ids["moderator"] = ids["nami"], ids["usopp"]
    return ids


def logged_in(client, username):
    response = login(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def is_logged_in(client):
    """Ask the site: the writer's page answers 200 to a writer, a redirect to a visitor."""
    return client.get("/admin/posts/").status_code == 200


def snapshot(app):
    """Everything a post editor can change, to prove that a refused request changed nothing."""
    with app.app_context():
        posts = db.session.scalars(db.select(Post).order_by(Post.id)).all()
        return (
            [
                (p.id, p.slug, p.title, p.body, p.body_html, p.status, p.published_at, p.author_id,
                 p.category_id, tuple(t.slug for t in p.tags))
                for p in posts
            ],
            db.session.scalar(db.select(db.func.count(Category.id))),
            db.session.scalar(db.select(db.func.count(Tag.id))),
        )


def stored(app, slug):
    """The stored post as plain data, or None."""
    with app.app_context():
        post = db.session.scalar(db.select(Post).filter_by(slug=slug))
        if post is None:
            return None
        return {
            "id": post.id,
            "title": post.title,
            "body": post.body,
            "body_html": post.body_html,
            "status": post.status,
            "published_at": post.published_at,
            "author": post.author.username,
            "category": post.category.name if post.category else None,
            "tags": sorted(tag.name for tag in post.tags),
        }


def post_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Post.id)))


def editor_form(client, path, button="save", **fields):
    """Submit the editor at ``path`` like a browser: every field, the CSRF token, one button."""
    data = {"title": "", "slug": "", "body": "", "category": "", "tags": "", "published_at": ""}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, path)
    data[button] = {"save": "保存", "preview": "预览", "publish": "发布"}[button]
    return client.post(path, data=data)


def action(client, post_id, name):
    """POST publish / unpublish / delete with a token taken from the post list."""
    token = csrf_token(client, "/admin/posts/")
    return client.post(f"/admin/posts/{post_id}/{name}", data={"csrf_token": token})


def field_value(html, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def textarea(html, name="body"):
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    assert match, f"no textarea {name}"
    return match.group(1).strip()


# --- login and logout ---------------------------------------------------------------------

def test_login_page_has_a_form(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html and 'name="csrf_token"' in html


def test_login_and_logout(client, team):
    response = login(client, "luffy")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    front = client.get("/").get_data(as_text=True)
    assert "Luffy" in front and "退出" in front and "欢迎回来" in front
    assert is_logged_in(client)

    assert client.get("/logout").status_code == 405  # logging out changes state: POST only
    assert is_logged_in(client)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "已退出登录" in client.get("/").get_data(as_text=True)
    assert not is_logged_in(client)
    assert "登录" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("username, target", [("luffy", "/admin/posts/"), ("usopp", "/")])
def test_login_page_when_already_logged_in(client, team, username, target):
    logged_in(client, username)
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == target
    assert client.get(target).status_code == 200


@pytest.mark.parametrize(
    "username, password", [("luffy", "wrong password"), ("nobody", "whatever1")]
)
def test_wrong_credentials_are_refused_with_a_message(client, team, username, password):
    response = login(client, username, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "用户名或密码不正确" in html
    assert f'value="{username}"' in html  # the name typed stays in the form
    assert password not in html  # the password is never echoed back
    assert not is_logged_in(client)


def test_account_without_password_cannot_log_in(app, client):
    with app.app_context():
        db.session.add(User(username="imported", display_name="Imported"))
        db.session.commit()
    assert login(client, "imported", "").status_code == 200  # empty password: form error
    assert login(client, "imported", "anything-at-all").status_code == 401
    assert not is_logged_in(client)


@pytest.mark.parametrize("typed", ["LUFFY", "Luffy", "  luffy  "])
def test_username_is_case_insensitive(client, team, typed):
    response = login(client, typed)
    assert response.status_code == 302
    assert is_logged_in(client)


def login_with_next(client, next_url, username="luffy"):
    token = csrf_token(client, "/login?next=" + next_url)
    return client.post(
        "/login?next=" + next_url,
        data={"username": username, "password": PASSWORD, "csrf_token": token,
              "next": next_url},
    )


def test_login_next_follows_same_site_path(client, team):
    response = client.get("/admin/posts/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fadmin%2Fposts%2F"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next"' in login_page and 'value="/admin/posts/"' in login_page
    response = login_with_next(client, "/admin/posts/")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/posts/"


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        " //evil.example",
    ],
)
def test_login_next_never_leaves_the_site(client, team, evil):
    response = login_with_next(client, evil)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)


# --- who may enter the writer's pages --------------------------------------------------------

def test_anonymous_writer_pages_redirect_to_login(client, team, make_post):
    post_id = make_post("p", team["luffy"])
    for path in ["/admin/posts/", "/admin/posts/new", f"/admin/posts/{post_id}/edit"]:
        response = client.get(path)
        assert response.status_code == 302, path
        location = response.headers["Location"]
        assert location.startswith("/login?next=") and "%2Fadmin%2Fposts%2F" in location


@pytest.mark.parametrize(
    "username, status",
    [("usopp", 403), ("luffy", 200), ("nami", 200), ("admin", 200)],
)
def test_roles_matrix_on_post_list(client, team, username, status):
    logged_in(client, username)
    response = client.get("/admin/posts/")
    assert response.status_code == status
    assert client.get("/admin/posts/new").status_code == status
    if status == 403:
        assert "只有作者、编辑和管理员可以写文章" in response.get_data(as_text=True)


def test_write_link_shown_only_to_writers(client, team):
    assert "/admin/posts/" not in client.get("/").get_data(as_text=True)
    logged_in(client, "usopp")
    assert "写文章" not in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "luffy")
    assert 'href="/admin/posts/"' in client.get("/").get_data(as_text=True)


def test_moderator_cannot_post_to_the_editor(app, client, team):
    logged_in(client, "usopp")
    token = csrf_token(client, "/")
    response = client.post(
        "/admin/posts/new",
        data={"title": "Sneaky", "body": "x", "save": "1", "csrf_token": token},
    )
    assert response.status_code == 403
    assert post_count(app) == 0


# --- the editor ------------------------------------------------------------------------------

def test_new_post_save_preview_publish_edit_unpublish_delete(app, client, team):
    author = logged_in(client, "luffy")
    reader = app.test_client()

    # Preview shows rendered HTML and stores nothing.
    response = editor_form(
        author, "/admin/posts/new", "preview", title="HPA 实战", slug="hpa-in-practice",
        body="## 前提：安装\n\n```yaml\nkind: HorizontalPodAutoscaler\n```\n\n<script>alert(1)</script>",
        category="运维", tags="HPA, 自动扩缩容",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="preview"' in html and '<div class="highlight">' in html
    assert re.search(r'<h2 id="[^"]+">前提：安装</h2>', html)
    assert "<script>alert" not in html
    assert field_value(html, "title") == "HPA 实战"  # the form is still filled in
    assert "HorizontalPodAutoscaler" in textarea(html)
    assert snapshot(app) == ([], 0, 0)

    # Save: a draft that readers cannot see but its author can.
    response = editor_form(
        author, "/admin/posts/new", "save", title="HPA 实战", slug="hpa-in-practice",
        body="Intro about **HPA**.\n\n<!--more-->\n\nThe rest.", category="运维",
        tags="HPA，自动扩缩容, metrics-server，hpa",
    )
    assert response.status_code == 302
    post = stored(app, "hpa-in-practice")
    assert post is not None
    assert response.headers["Location"] == f"/admin/posts/{post['id']}/edit"
    assert post["status"] == "draft" and post["author"] == "luffy" and post["title"] == "HPA 实战"
    assert post["category"] == "运维"
    assert post["tags"] == sorted(["HPA", "自动扩缩容", "metrics-server"])
    assert "<strong>HPA</strong>" in post["body_html"]
    assert reader.get("/posts/hpa-in-practice").status_code == 404
    assert "HPA 实战" not in reader.get("/").get_data(as_text=True)
    own_view = author.get("/posts/hpa-in-practice")
    assert own_view.status_code == 200 and "读者还看不到" in own_view.get_data(as_text=True)

    # The edit page shows what was stored.
    edit_path = f"/admin/posts/{post['id']}/edit"
    html = author.get(edit_path).get_data(as_text=True)
    assert field_value(html, "title") == "HPA 实战" and field_value(html, "category") == "运维"
    assert set(field_value(html, "tags").split(", ")) == {"HPA", "自动扩缩容", "metrics-server"}
    assert "Intro about **HPA**." in textarea(html)

    # Publish from the list: now readers see it.
    response = action(author, post["id"], "publish")
    assert response.status_code == 302
    assert stored(app, "hpa-in-practice")["status"] == "published"
    page = reader.get("/posts/hpa-in-practice")
    assert page.status_code == 200 and "<strong>HPA</strong>" in page.get_data(as_text=True)
    assert "HPA 实战" in reader.get("/").get_data(as_text=True)
    assert reader.get("/category/运维").status_code == 200

    # Edit: new text shows up for readers, the author stays.
    response = editor_form(
        author, edit_path, "save", title="HPA 实战（修订）", slug="hpa-in-practice",
        body="Revised intro.", category="运维", tags="HPA",
    )
    assert response.status_code == 302
    post = stored(app, "hpa-in-practice")
    assert post["title"] == "HPA 实战（修订）" and post["tags"] == ["HPA"]
    assert post["status"] == "published" and post["author"] == "luffy"
    page = reader.get("/posts/hpa-in-practice").get_data(as_text=True)
    assert "Revised intro." in page and "The rest." not in page

    # Unpublish: gone for readers again.
    assert action(author, post["id"], "unpublish").status_code == 302
    assert stored(app, "hpa-in-practice")["status"] == "draft"
    assert reader.get("/posts/hpa-in-practice").status_code == 404

    # Delete: gone for everybody.
    assert action(author, post["id"], "delete").status_code == 302
    assert stored(app, "hpa-in-practice") is None
    assert author.get("/posts/hpa-in-practice").status_code == 404
    assert reader.get("/posts/hpa-in-practice").status_code == 404


def test_publish_button_on_new_post_makes_it_visible(app, client, team):
    logged_in(client, "luffy")
    response = editor_form(client, "/admin/posts/new", "publish", title="Quick note",
                           body="Hello readers.")
    assert response.status_code == 302
    post = stored(app, "quick-note")  # slug made from the title
    assert post["status"] == "published" and post["published_at"] is not None
    page = app.test_client().get("/posts/quick-note")
    assert page.status_code == 200 and "Hello readers." in page.get_data(as_text=True)


def test_chinese_title_gives_chinese_slug(app, client, team):
    logged_in(client, "luffy")
    response = editor_form(client, "/admin/posts/new", "publish", title="认识 k8s", body="中文正文。")
    assert response.status_code == 302
    assert stored(app, "认识-k8s") is not None
    assert app.test_client().get("/posts/认识-k8s").status_code == 200


def test_publish_with_future_date_is_scheduled(app, client, team):
    logged_in(client, "luffy")
    response = editor_form(
        client, "/admin/posts/new", "publish", title="Later", slug="later", body="Soon.",
        published_at="2099-01-01T10:00",
    )
    assert response.status_code == 302
    post = stored(app, "later")
    assert post["status"] == "scheduled" and post["published_at"].year == 2099
    assert app.test_client().get("/posts/later").status_code == 404


def test_duplicate_slug_is_refused_and_typed_text_kept(app, client, team, make_post):
    make_post("taken", team["zoro"], title="Zoro's post")
    before = snapshot(app)
    logged_in(client, "luffy")
    response = editor_form(
        client, "/admin/posts/new", "save", title="My typed title", slug="taken",
        body="Typed body that must survive.", tags="a, b", category="网络",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "已被另一篇文章使用" in html and "taken" in html
    assert field_value(html, "title") == "My typed title"
    assert field_value(html, "tags") == "a, b" and field_value(html, "category") == "网络"
    assert textarea(html) == "Typed body that must survive."
    assert snapshot(app) == before


def test_duplicate_slug_when_editing_leaves_post_unchanged(app, client, team, make_post):
    make_post("taken", team["zoro"])
    mine = make_post("mine", team["luffy"], title="Mine", body="Original.")
    before = snapshot(app)
    logged_in(client, "luffy")
    response = editor_form(
        client, f"/admin/posts/{mine}/edit", "save", title="Mine renamed", slug="taken",
        body="Changed body.",
    )
    assert response.status_code == 400
    assert "已被另一篇文章使用" in response.get_data(as_text=True)
    assert textarea(response.get_data(as_text=True)) == "Changed body."
    assert snapshot(app) == before


@pytest.mark.parametrize("title", ["", "   "])
def test_missing_title_is_refused_and_text_kept(app, client, team, title):
    logged_in(client, "luffy")
    response = editor_form(client, "/admin/posts/new", "save", title=title, slug="no-title",
                           body="Body without a title.")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请填写标题" in html
    assert textarea(html) == "Body without a title."
    assert field_value(html, "slug") == "no-title"
    assert snapshot(app) == ([], 0, 0)


def test_unusable_slug_and_tag_are_refused(app, client, team):
    logged_in(client, "luffy")
    response = editor_form(client, "/admin/posts/new", "save", title="T", slug="!!!", body="b")
    assert response.status_code == 400 and "URL 别名至少要有" in response.get_data(as_text=True)
    response = editor_form(client, "/admin/posts/new", "save", title="T", tags="ok, ???", body="b")
    assert response.status_code == 400 and "标签名至少要有" in response.get_data(as_text=True)
    assert snapshot(app) == ([], 0, 0)


# --- whose posts -----------------------------------------------------------------------------

@pytest.fixture
def zoros_post(team, make_post):
    return make_post("zoros-post", team["zoro"], title="Zoro's post", body="Three swords.",
                     category="网络", tags=["kube-proxy"])


def test_author_cannot_touch_someone_elses_post(app, client, team, zoros_post):
    before = snapshot(app)
    logged_in(client, "luffy")
    edit_path = f"/admin/posts/{zoros_post}/edit"
    assert client.get(edit_path).status_code == 403
    token = csrf_token(client, "/admin/posts/")
    response = client.post(edit_path, data={"title": "Hijacked", "slug": "zoros-post",
                                            "body": "mine now", "save": "1", "csrf_token": token})
    assert response.status_code == 403
    for name in ["unpublish", "publish", "delete"]:
        assert action(client, zoros_post, name).status_code == 403, name
    assert snapshot(app) == before
    # Luffy's list does not even show Zoro's post.
    assert "Zoro&#39;s post" not in client.get("/admin/posts/").get_data(as_text=True)
    assert app.test_client().get("/posts/zoros-post").status_code == 200


def test_missing_post_is_404_in_the_editor(client, team):
    logged_in(client, "nami")
    assert client.get("/admin/posts/999/edit").status_code == 404
    assert action(client, 999, "delete").status_code == 404


@pytest.mark.parametrize("username", ["nami", "admin"])
def test_editor_and_admin_may_edit_anyones_post(app, client, team, zoros_post, username):
    logged_in(client, username)
    listing = client.get("/admin/posts/").get_data(as_text=True)
    assert "全部文章" in listing and "Zoro&#39;s post" in listing
    response = editor_form(
        client, f"/admin/posts/{zoros_post}/edit", "save", title="Zoro's post, edited",
        slug="zoros-post", body="Edited by an editor.", category="网络", tags="kube-proxy",
    )
    assert response.status_code == 302
    post = stored(app, "zoros-post")
    assert post["title"] == "Zoro's post, edited" and post["body"] == "Edited by an editor."
    assert post["author"] == "zoro"  # editing does not steal authorship
    assert action(client, zoros_post, "unpublish").status_code == 302
    assert stored(app, "zoros-post")["status"] == "draft"
    assert action(client, zoros_post, "delete").status_code == 302
    assert stored(app, "zoros-post") is None


EDIT_LINK = "编辑这篇文章"


@pytest.mark.parametrize(
    "username, sees_link",
    [(None, False), ("usopp", False), ("luffy", False), ("zoro", True), ("nami", True),
     ("admin", True)],
)
def test_edit_link_on_article_only_for_those_who_may_edit(client, team, zoros_post, username,
                                                           sees_link):
    if username:
        logged_in(client, username)
    html = client.get("/posts/zoros-post").get_data(as_text=True)
    assert "Three swords." in html
    assert (EDIT_LINK in html) is sees_link
    assert (f'href="/admin/posts/{zoros_post}/edit"' in html) is sees_link


def test_other_authors_cannot_see_drafts(app, client, team, make_post):
    make_post("zoro-draft", team["zoro"], status="draft")
    logged_in(client, "luffy")
    assert client.get("/posts/zoro-draft").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "nami")
    assert client.get("/posts/zoro-draft").status_code == 200


# --- CSRF ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["publish", "unpublish", "delete"])
def test_post_actions_without_csrf_token_change_nothing(app, client, team, make_post, name):
    post_id = make_post("mine", team["luffy"], status="draft" if name == "publish" else "published")
    before = snapshot(app)
    logged_in(client, "luffy")
    response = client.post(f"/admin/posts/{post_id}/{name}")
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    response = client.post(f"/admin/posts/{post_id}/{name}", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_editor_without_csrf_token_changes_nothing(app, client, team, make_post):
    post_id = make_post("mine", team["luffy"], title="Mine")
    before = snapshot(app)
    logged_in(client, "luffy")
    fields = {"title": "Changed", "slug": "changed", "body": "changed", "category": "c",
              "tags": "t"}
    for button in ["save", "publish"]:
        for path in ["/admin/posts/new", f"/admin/posts/{post_id}/edit"]:
            response = client.post(path, data={**fields, button: "1"})
            assert response.status_code == 400, (path, button)
    assert snapshot(app) == before


def test_login_without_csrf_token_is_refused(client, team):
    response = client.post("/login", data={"username": "luffy", "password": PASSWORD})
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_logout_without_csrf_token_keeps_the_session(client, team):
    logged_in(client, "luffy")
    assert client.post("/logout").status_code == 400
    assert is_logged_in(client)
