"""Media (issue #17 part 4): images uploaded through the real form (CSRF, multipart) are
checked by content with Pillow, stripped of EXIF/GPS, stored under content-hashed names
and served with their type, nosniff and a long cache; bad files are refused with a
message and leave nothing behind; the media list reuses and deletes them."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from blogapp.extensions import db
from blogapp.models import Media
from conftest import csrf_token
from test_authoring import editor_form, logged_in, team  # noqa: F401 (team: a fixture)

GPS = (39.0, 54.0, 27.0)


def image_bytes(fmt="PNG", size=(40, 20), mode="RGB", gps=True, orientation=None, **save):
    """An image in ``fmt`` carrying a GPS position and a camera name in its EXIF."""
    image = Image.new(mode, size, "red" if mode == "RGB" else 0)
    if gps and fmt != "GIF":
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"  # Make
        exif.get_ifd(0x8825)[2] = GPS  # GPSLatitude
        if orientation:
            exif[0x0112] = orientation
        save["exif"] = exif.tobytes()
    if gps and fmt == "GIF":
        save["comment"] = b"SpyCam at 39N"
    if gps and fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "SpyCam at 39N")
        save["pnginfo"] = info
    output = io.BytesIO()
    image.save(output, format=fmt, **save)
    return output.getvalue()


def upload(client, data, filename="photo.png", content_type="image/png", json=False,
           token=True):
    form = {"file": FileStorage(io.BytesIO(data), filename, content_type=content_type)}
    if token:
        form["csrf_token"] = csrf_token(client, "/admin/media/")
    headers = {"Accept": "application/json"} if json else {}
    # Encoded here, in memory: the test client spools a large body to a temporary file it
    # never closes when the app refuses the body unread (a ResourceWarning under -W error).
    boundary, body = encode_multipart(form)
    return client.post("/admin/media/", data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def media_dir(app):
    return Path(app.instance_path) / "media"


def stored_files(app):
    folder = media_dir(app)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def media_rows(app):
    with app.app_context():
        return db.session.scalars(db.select(Media.name).order_by(Media.id)).all()


@pytest.fixture
def writer(client, team):
    return logged_in(client, "luffy")


@pytest.mark.parametrize("fmt, extension, content_type", [
    ("PNG", "png", "image/png"), ("JPEG", "jpg", "image/jpeg"),
    ("WEBP", "webp", "image/webp"), ("GIF", "gif", "image/gif")])
def test_upload_stores_a_stripped_copy_served_with_its_type(app, writer, fmt, extension,
                                                            content_type):
    original = image_bytes(fmt)
    response = upload(writer, original, f"我的照片.{extension}", content_type)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/media/"
    (name,) = stored_files(app)
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", name) and media_rows(app) == [name]
    page = writer.get("/admin/media/").get_data(as_text=True)
    assert f"已上传。在正文中插入：![我的照片](/media/{name})" in page
    assert f'value="![我的照片](/media/{name})"' in page  # to copy from the list

    served = app.test_client().get(f"/media/{name}")  # readers need no login
    assert served.status_code == 200 and served.mimetype == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    data = served.get_data()
    served.close()
    assert b"SpyCam" not in data and b"39N" not in data
    reopened = Image.open(io.BytesIO(data))
    assert reopened.format == fmt and reopened.size == (40, 20)
    assert dict(reopened.getexif()) == {} and "comment" not in reopened.info


def test_the_editor_script_gets_the_markdown_as_json(app, writer):
    response = upload(writer, image_bytes("JPEG"), "拓扑 [v2].jpg", "image/jpeg", json=True)
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["markdown"] == f"![拓扑 v2]({answer['url']})"  # brackets kept out of alt
    assert answer["url"] == f"/media/{answer['name']}"


def test_the_type_is_read_from_the_bytes_not_the_name(app, writer):
    response = upload(writer, image_bytes("PNG"), "looks.jpg", "image/jpeg", json=True)
    assert response.get_json()["name"].endswith(".png")
    with app.test_client().get(response.get_json()["url"]) as served:
        assert served.mimetype == "image/png"


def test_a_sideways_photo_is_stored_upright(app, writer):
    photo = image_bytes("JPEG", size=(40, 20), orientation=6)  # "rotate 90° to show"
    name = upload(writer, photo, "phone.jpg", "image/jpeg", json=True).get_json()["name"]
    with app.app_context():
        row = db.session.scalar(db.select(Media).filter_by(name=name))
        assert (row.width, row.height) == (20, 40)
    with Image.open(media_dir(app) / name) as stored:
        assert stored.size == (20, 40)


def test_the_same_image_twice_is_one_file(app, writer):
    first = upload(writer, image_bytes("PNG"), "a.png", json=True).get_json()
    second = upload(writer, image_bytes("PNG"), "b.png", json=True).get_json()
    assert first["name"] == second["name"]
    assert stored_files(app) == [first["name"]] and media_rows(app) == [first["name"]]


TRUNCATED = image_bytes("PNG", size=(300, 300), gps=False)[:200]


@pytest.mark.parametrize("data, filename, message", [
    (b"not an image at all", "fake.png", "这不是 PNG、JPEG、WebP 或 GIF 图片"),
    (b"GIF89a" + b"\0" * 40, "fake.gif", "这不是 PNG、JPEG、WebP 或 GIF 图片"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
     b"</svg>", "logo.svg", "不接受 SVG"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.png", "不接受 SVG"),
    (TRUNCATED, "cut.png", "图片已损坏"),
    (image_bytes("BMP", gps=False), "old.bmp", "这不是 PNG、JPEG、WebP 或 GIF 图片"),
    (b"", "empty.png", "没有收到文件"),
])
@pytest.mark.parametrize("json", [False, True])
def test_bad_files_are_refused_with_a_message_and_leave_nothing(app, writer, data, filename,
                                                                message, json):
    response = upload(writer, data, filename, json=json)
    assert response.status_code == 400
    shown = response.get_json()["error"] if json else response.get_data(as_text=True)
    assert message in shown
    assert stored_files(app) == [] and media_rows(app) == []


def test_a_decompression_bomb_is_refused_from_its_header(app, writer):
    # 48 megapixels in a few kilobytes: more than MEDIA_MAX_PIXELS (40 million).
    bomb = image_bytes("PNG", size=(8000, 6000), mode="1", gps=False)
    assert len(bomb) < 20_000
    response = upload(writer, bomb, "bomb.png", json=True)
    assert response.status_code == 400 and "像素太多" in response.get_json()["error"]
    # Far beyond: Pillow's own limit, which it signals with a warning, is refused too.
    huge = image_bytes("PNG", size=(20000, 20000), mode="1", gps=False)
    assert upload(writer, huge, "huge.png").status_code == 400
    assert stored_files(app) == [] and media_rows(app) == []


@pytest.mark.parametrize("extra", [
    100,  # just over: read, then refused
    200 * 1024,  # a request larger than any allowed upload: refused before it is read
])
def test_a_file_over_media_max_mb_is_refused(app, writer, extra):
    app.config["MEDIA_MAX_MB"] = 1
    big = image_bytes("PNG", gps=False) + b"\0" * (1024 * 1024 + extra)
    for json in (False, True):
        response = upload(writer, big, "big.png", json=json)
        assert response.status_code == 413
        shown = response.get_json()["error"] if json else response.get_data(as_text=True)
        assert "图片太大（最大 1 MB）" in shown
    assert stored_files(app) == [] and media_rows(app) == []


@pytest.mark.parametrize("token", [None, "forged"])
def test_upload_without_csrf_token_stores_nothing(app, writer, token):
    form = {"file": (io.BytesIO(image_bytes()), "a.png", "image/png")}
    if token:
        form["csrf_token"] = token
    response = writer.post("/admin/media/", data=form, content_type="multipart/form-data")
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert stored_files(app) == [] and media_rows(app) == []


def test_only_writers_upload_or_see_the_list(app, client, team):
    form = {"file": (io.BytesIO(image_bytes()), "a.png", "image/png")}
    response = client.post("/admin/media/", data=form, content_type="multipart/form-data")
    assert response.status_code in (302, 400)  # the login page, or CSRF first
    logged_in(client, "usopp")  # a moderator
    assert client.get("/admin/media/").status_code == 403
    assert stored_files(app) == []


def test_no_file_chosen_is_a_message(app, writer):
    token = csrf_token(writer, "/admin/media/")
    response = writer.post("/admin/media/", data={"csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择一个图片文件" in response.get_data(as_text=True)


def test_an_uploaded_image_shows_in_the_article(app, writer):
    markdown = upload(writer, image_bytes(), "diagram.png", json=True).get_json()["markdown"]
    editor_form(writer, "/admin/posts/new", "publish", title="With a picture",
                body=f"Look:\n\n{markdown}\n")
    page = app.test_client().get("/posts/with-a-picture").get_data(as_text=True)
    assert re.search(r'<img alt="diagram" src="/media/[0-9a-f]{32}\.png"', page)


def test_editor_has_the_upload_form(writer):
    html = writer.get("/admin/posts/new").get_data(as_text=True)
    form = re.search(r'<form class="editor media-upload"[^>]*>', html).group(0)
    assert 'enctype="multipart/form-data"' in form and 'action="/admin/media/"' in form
    # Without JavaScript the upload opens in a new tab: the unsaved text stays.
    assert 'target="_blank"' in form
    assert 'accept="image/png,image/jpeg,image/webp,image/gif"' in html


def test_deleting_asks_names_the_posts_using_it_and_removes_the_file(app, client, team):
    logged_in(client, "luffy")
    answer = upload(client, image_bytes(), "diagram.png", json=True).get_json()
    editor_form(client, "/admin/posts/new", "save", title="Uses it", body=answer["markdown"])
    with app.app_context():
        media_id = db.session.scalar(db.select(Media.id))
    page = client.get(f"/admin/media/{media_id}/delete").get_data(as_text=True)
    assert "删除 diagram.png？" in page and "Uses it" in page and "显示不出图片" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "zoro")  # another author may not delete it
    assert client.get(f"/admin/media/{media_id}/delete").status_code == 403
    token = csrf_token(client, "/admin/media/")
    assert client.post(f"/admin/media/{media_id}/delete",
                       data={"csrf_token": token}).status_code == 403
    assert stored_files(app) == [answer["name"]]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "nami")  # an editor may
    token = csrf_token(client, f"/admin/media/{media_id}/delete")
    response = client.post(f"/admin/media/{media_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert "已删除 diagram.png" in client.get("/admin/media/").get_data(as_text=True)
    assert stored_files(app) == [] and media_rows(app) == []
    assert app.test_client().get(answer["url"]).status_code == 404
    assert client.get(f"/admin/media/{media_id}/delete").status_code == 404


@pytest.mark.parametrize("path", ["/media/../secret_key", "/media/..%2Fsecret_key",
                                  "/media/0123456789abcdef0123456789abcdef.png",
                                  "/media/secret_key", "/media/x.svg"])
def test_serving_only_names_that_exist_in_the_media_folder(app, client, path):
    assert client.get(path).status_code == 404


class MemoryStorage:
    """Another store behind the same four methods (as an object store would be)."""

    files = {}

    def __init__(self, app):
        self.files.clear()

    def save(self, name, data):
        self.files[name] = data

    def open(self, name):
        if name not in self.files:
            raise FileNotFoundError(name)
        return io.BytesIO(self.files[name])

    def delete(self, name):
        self.files.pop(name, None)

    def exists(self, name):
        return name in self.files


def test_media_storage_names_another_store(app, writer):
    app.config["MEDIA_STORAGE"] = "test_media:MemoryStorage"
    answer = upload(writer, image_bytes(), "a.png", json=True).get_json()
    assert list(MemoryStorage.files) == [answer["name"]] and stored_files(app) == []
    with app.test_client().get(answer["url"]) as served:
        assert served.status_code == 200
        assert served.get_data() == MemoryStorage.files[answer["name"]]
