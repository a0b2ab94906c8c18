"""The notify plugin against a real local SMTP server (aiosmtpd): moderators hear of held
comments and act through signed one-click links; commenters hear of approved replies;
a mail server that is down never breaks commenting."""

import email
import email.policy
import re
import socket
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blogapp.extensions import db
from blogapp.models import User
from conftest import csrf_token
from plugins.comments.models import Comment
from plugins.notify import mailer, tokens

SLUG = "hello"
SITE = "http://blog.example"
STAFF = {"mod": "moderator", "ed": "editor", "boss": "admin"}


class Inbox:
    """aiosmtpd handler keeping every envelope it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default)
                for e in self.envelopes]

    def to(self, address):
        return [m for m in self.messages() if m["To"].addresses[0].addr_spec == address]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller
    finally:
        controller.stop()


@pytest.fixture
def inbox(app, smtp, make_user, make_post):
    """The app mails through the local server; staff with emails, a post, hold_all."""
    inbox, controller = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, SITE_URL=SITE,
                      MAIL_FROM="Blog <noreply@blog.example>", COMMENT_MODERATION="hold_all",
                      COMMENT_RATE_LIMIT="100/minute")
    for name, role in {**STAFF, "writer": "author"}.items():
        make_user(name, role=role)
    make_user("quiet", role="moderator")  # no email address: skipped
    with app.app_context():
        for user in db.session.scalars(db.select(User).where(User.username != "quiet")):
            user.email = f"{user.username}@blog.example"
        db.session.commit()
        writer = db.session.scalar(db.select(User).filter_by(username="writer")).id
    make_post(SLUG, writer, title="Pod 调度入门")
    return inbox


def submit(client, body, name="Reader", mail="reader@example.com", **fields):
    data = {"body": body, "author_name": name, "author_email": mail,
            "csrf_token": csrf_token(client, f"/posts/{SLUG}"), **fields}
    return client.post(f"/posts/{SLUG}/comments", data=data)


def comment(app, body):
    with app.app_context():
        found = db.session.scalar(db.select(Comment).filter_by(body_raw=body))
        return None if found is None else {"id": found.id, "status": found.status}


def set_status(app, body, status):
    with app.app_context():
        db.session.scalar(db.select(Comment).filter_by(body_raw=body)).status = status
        db.session.commit()


def links(message):
    text = message.get_content()
    return {"approve": re.search(r"批准：(\S+)", text).group(1),
            "delete": re.search(r"删除：(\S+)", text).group(1)}


def path(url):
    assert url.startswith(SITE + "/")
    return urlsplit(url).path


def article(client):
    return client.get(f"/posts/{SLUG}").get_data(as_text=True)


def follow(client, url):
    """Open a mailed link (GET), then press its confirmation button (POST with CSRF)."""
    page = client.get(path(url))
    assert page.status_code == 200 and "<form" in page.get_data(as_text=True)
    return client.post(path(url), data={"csrf_token": csrf_token(client, path(url))})


# -- moderators -----------------------------------------------------------------------------

def test_held_comment_mails_every_moderator_with_links(app, client, inbox):
    assert submit(client, "Is the scheduler pluggable?").status_code == 302
    messages = inbox.messages()
    recipients = sorted(e.rcpt_tos[0] for e in inbox.envelopes)
    assert recipients == sorted(f"{name}@blog.example" for name in STAFF)
    for envelope, message in zip(inbox.envelopes, messages):
        assert message["To"].addresses[0].addr_spec == envelope.rcpt_tos[0]
        assert message["From"].addresses[0].addr_spec == "noreply@blog.example"
        assert "待审核" in message["Subject"] and "Pod 调度入门" in message["Subject"]
        text = message.get_content()
        assert "Is the scheduler pluggable?" in text and "reader@example.com" in text
        urls = links(message)
        assert all(url.startswith(f"{SITE}/notify/moderate/") for url in urls.values())
        assert urls["approve"] != urls["delete"]
    # Each moderator gets their own links.
    assert len({links(m)["approve"] for m in messages}) == len(STAFF)


def test_approved_or_spam_comments_mail_no_moderator(app, client, inbox):
    app.config["COMMENT_MODERATION"] = "hold_none"
    assert submit(client, "approved at once").status_code == 302
    app.config.update(COMMENT_MODERATION="hold_all", COMMENT_DISALLOWED_WORDS=["casino"])
    assert submit(client, "casino casino").status_code == 302
    assert comment(app, "casino casino")["status"] == "spam"
    assert inbox.envelopes == []


def test_approve_link_shows_a_page_then_approves_on_post(app, client, inbox):
    submit(client, "Please approve me.")
    url = links(inbox.to("mod@blog.example")[0])["approve"]
    reader = app.test_client()  # the moderator's own browser, not logged in
    page = reader.get(path(url))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Please approve me." in html and 'name="csrf_token"' in html and 'method="post"' in html
    assert page.headers["Cache-Control"] == "no-store"
    assert comment(app, "Please approve me.")["status"] == "pending"  # a GET changes nothing
    assert "Please approve me." not in article(reader)
    assert reader.post(path(url)).status_code == 400  # no CSRF token: refused
    done = reader.post(path(url), data={"csrf_token": csrf_token(reader, path(url))})
    assert done.status_code == 302
    approved_id = comment(app, "Please approve me.")["id"]
    assert done.headers["Location"].endswith(f"/posts/{SLUG}#comment-{approved_id}")
    assert comment(app, "Please approve me.")["status"] == "approved"
    assert "Please approve me." in article(reader)
    # The link has done its job: opening it again changes nothing.
    assert reader.get(path(url)).status_code == 409


def test_delete_link_deletes_the_comment(app, client, inbox):
    submit(client, "Buy followers now")
    url = links(inbox.to("ed@blog.example")[0])["delete"]
    assert follow(app.test_client(), url).status_code == 302
    assert comment(app, "Buy followers now")["status"] == "trash"
    assert "Buy followers now" not in article(client)
    # Another moderator's approve link no longer resurrects it.
    stale = links(inbox.to("mod@blog.example")[0])["approve"]
    reader = app.test_client()
    assert reader.get(path(stale)).status_code == 409
    assert reader.post(path(stale), data={"csrf_token": csrf_token(reader)}).status_code == 409
    assert comment(app, "Buy followers now")["status"] == "trash"


def test_tampered_expired_or_revoked_links_answer_400(app, client, inbox):
    submit(client, "Waiting.")
    url = links(inbox.to("mod@blog.example")[0])["approve"]
    token = path(url).rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    reader = app.test_client()
    for bad in (tampered, "not-a-token", token.replace(".", "", 1)):
        response = reader.get(f"/notify/moderate/{bad}")
        assert response.status_code == 400 and "链接无效" in response.get_data(as_text=True)
    form_token = csrf_token(reader)
    posted = reader.post(f"/notify/moderate/{tampered}", data={"csrf_token": form_token})
    assert posted.status_code == 400

    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return super().get_timestamp() - 8 * 24 * 3600

    with app.app_context():
        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=tokens.SALT,
                                     signer=EightDaysAgo)
        expired = old.dumps({"c": comment(app, "Waiting.")["id"], "a": "approve", "u": 1})
    response = reader.get(f"/notify/moderate/{expired}")
    assert response.status_code == 400 and "过期" in response.get_data(as_text=True)

    with app.app_context():  # the moderator lost the role: their links stop working
        db.session.scalar(db.select(User).filter_by(username="mod")).role = "author"
        db.session.commit()
    assert reader.get(path(url)).status_code == 400
    assert comment(app, "Waiting.")["status"] == "pending"


# -- replies --------------------------------------------------------------------------------

def test_approved_reply_mails_the_opted_in_parent_author(app, client, inbox):
    app.config["COMMENT_MODERATION"] = "hold_none"
    submit(client, "Top comment by Alice", name="Alice", mail="alice@example.com",
           notify_replies="y")
    submit(client, "Top comment by Carol", name="Carol", mail="carol@example.com")  # opted out
    alice = comment(app, "Top comment by Alice")["id"]
    carol = comment(app, "Top comment by Carol")["id"]
    assert inbox.envelopes == []

    assert submit(client, "Bob answers Alice", name="Bob", mail="bob@example.com",
                  parent_id=str(alice)).status_code == 302
    assert submit(client, "Bob answers Carol", name="Bob", mail="bob@example.com",
                  parent_id=str(carol)).status_code == 302
    assert submit(client, "Alice adds a note", name="Alice", mail="ALICE@example.com",
                  parent_id=str(alice)).status_code == 302  # her own reply: no mail

    assert [e.rcpt_tos for e in inbox.envelopes] == [["alice@example.com"]]
    message = inbox.messages()[0]
    assert "Bob" in message["Subject"] and "Pod 调度入门" in message["Subject"]
    text = message.get_content()
    reply = comment(app, "Bob answers Alice")["id"]
    assert "Bob answers Alice" in text and f"{SITE}/posts/{SLUG}#comment-{reply}" in text
    assert "bob@example.com" not in text  # commenters' addresses stay private


def test_reply_approved_later_mails_the_parent_author(app, client, runner, inbox):
    app.config["COMMENT_MODERATION"] = "hold_none"
    submit(client, "Alice asks", name="Alice", mail="alice@example.com", notify_replies="y")
    parent = comment(app, "Alice asks")["id"]
    app.config["COMMENT_MODERATION"] = "hold_all"
    submit(client, "Bob replies, held", name="Bob", mail="bob@example.com", parent_id=str(parent))
    assert "alice@example.com" not in {e.rcpt_tos[0] for e in inbox.envelopes}  # held: not yet
    follow(app.test_client(), links(inbox.to("mod@blog.example")[0])["approve"])
    assert len(inbox.to("alice@example.com")) == 1

    # Approval from the command line (no request: links still use SITE_URL).
    submit(client, "Dan replies, held", name="Dan", mail="dan@example.com", parent_id=str(parent))
    dan = comment(app, "Dan replies, held")["id"]
    result = runner.invoke(args=["comments", "approve", str(dan)])
    assert result.exit_code == 0, result.output
    mails = inbox.to("alice@example.com")
    assert len(mails) == 2 and f"{SITE}/posts/{SLUG}#comment-{dan}" in mails[1].get_content()


def test_reply_mail_unsubscribes_in_one_click_without_login(app, client, inbox):
    """RFC 8058: List-Unsubscribe + List-Unsubscribe-Post headers; the mail program POSTs
    to the link (no login, no form token); the link in the text asks first; twice is fine."""
    app.config["COMMENT_MODERATION"] = "hold_none"
    submit(client, "Alice asks", name="Alice", mail="alice@example.com", notify_replies="y")
    parent = comment(app, "Alice asks")["id"]
    submit(client, "Bob replies", name="Bob", mail="bob@example.com", parent_id=str(parent))
    (message,) = inbox.to("alice@example.com")
    url = re.search(r"回复通知：(\S+)", message.get_content()).group(1)
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    stranger = app.test_client()  # no session, no cookie, no CSRF token
    asked = stranger.get(path(url))
    assert asked.status_code == 200 and "<form" in asked.get_data(as_text=True)
    assert asked.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert db.session.get(Comment, parent).notify_replies  # a GET changes nothing
    done = stranger.post(path(url), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "已退订" in done.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(Comment, parent).notify_replies
    again = stranger.post(path(url), data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and "已经退订过了" in again.get_data(as_text=True)

    submit(client, "Carol replies too", name="Carol", mail="carol@example.com",
           parent_id=str(parent))
    assert len(inbox.to("alice@example.com")) == 1  # no second mail
    tampered = path(url)[:-3] + "xyz"
    assert stranger.post(tampered).status_code == 400
    assert stranger.get(tampered).status_code == 400


# -- failures never break a request -------------------------------------------------------

def test_smtp_server_down_does_not_break_commenting(app, client, inbox, caplog):
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    assert submit(client, "Held while mail is down").status_code == 302
    assert comment(app, "Held while mail is down")["status"] == "pending"
    assert any("not sent" in record.getMessage() for record in caplog.records)
    app.config["COMMENT_MODERATION"] = "hold_none"
    submit(client, "Parent", name="Alice", mail="alice@example.com", notify_replies="y")
    assert submit(client, "Reply", parent_id=str(comment(app, "Parent")["id"])).status_code == 302
    assert inbox.envelopes == []


def test_a_server_that_never_answers_times_out(app, client, inbox, caplog, monkeypatch):
    monkeypatch.setattr(mailer, "TIMEOUT", 0.5)
    with socket.socket() as silent:  # accepts connections, never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        app.config["MAIL_PORT"] = silent.getsockname()[1]
        assert submit(client, "Held while mail hangs").status_code == 302
    assert any("timed out" in record.getMessage() for record in caplog.records)


def test_mail_disabled_sends_nothing(app, client, inbox):
    app.config["MAIL_ENABLED"] = False
    assert submit(client, "Held quietly").status_code == 302
    assert inbox.envelopes == []
