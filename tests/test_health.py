"""``/healthz`` and running behind a reverse proxy."""

from blogapp import create_app


def test_healthz_reports_database_and_index(client, make_user, make_post):
    make_post("p", make_user("ann"))  # the first save creates the index
    response = client.get("/healthz")
    data = response.get_json()
    assert response.status_code == 200 and data["status"] == "ok"
    assert data["checks"]["database"]["ok"] and data["checks"]["search_index"]["documents"] == 1


def test_healthz_degraded_without_an_index(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["search_index"]["ok"] is False


def test_proxy_fix_trusts_forwarded_headers(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PROXY_FIX": True}, instance_path=tmp_path)
    client = app.test_client()
    response = client.get("/robots.txt", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "blog.example"})
    assert "Sitemap: https://blog.example/sitemap.xml" in response.get_data(as_text=True)
    plain = create_app({"TESTING": True, "SECRET_KEY": "x"}, instance_path=tmp_path / "b").test_client()
    response = plain.get("/robots.txt", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "blog.example"})
    assert "Sitemap: http://localhost/sitemap.xml" in response.get_data(as_text=True)
