"""Composing and sending mail with smtplib; failures are logged, never raised."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from flask import current_app

TIMEOUT = 10  # seconds, for connecting and for each SMTP command


def compose(to_name, to_addr, subject, body, headers=None):
    config = current_app.config
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = formataddr((to_name or "", to_addr))
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=domain)  # no slow getfqdn() lookup
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


def send(messages):
    """Send ``messages`` over one connection; returns how many were accepted."""
    config = current_app.config
    if not messages or not config["MAIL_ENABLED"]:
        return 0
    server, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    sent = 0
    try:
        with smtplib.SMTP(server, port, timeout=TIMEOUT) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            for message in messages:
                try:
                    smtp.send_message(message)
                    sent += 1
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                    current_app.logger.warning("notify: mail to %s refused: %s",
                                               message["To"], error)
    except OSError as error:  # refused, timed out, TLS or login failed, disconnected
        current_app.logger.warning("notify: %d mail(s) not sent through %s:%s: %r",
                                   len(messages) - sent, server, port, error)
    return sent
