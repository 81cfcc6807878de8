#!/usr/bin/python3
"""A real SMTP server on loopback for the e-mail notifier's tests: aiosmtpd (Debian's
python3-aiosmtpd, so run it with /usr/bin/python3), with STARTTLS or implicit TLS on a throwaway
certificate made with the openssl CLI, and AUTH.

  --tls starttls   plain connection, STARTTLS offered and required before MAIL (the default)
  --tls implicit   TLS from the first byte (smtps://)
  --tls none       no TLS at all
  --auth USER:PASS AUTH PLAIN/LOGIN required (only after TLS unless --tls none)
  --scenario       ok | reject_rcpt (550) | defer_rcpt (451) | reject_data (554) | stall (accept the
                   connection and never say a word)

Every accepted message is recorded in --record-dir as <n>.eml (the bytes received) and <n>.json:
the envelope (mail_from, rcpt_tos), whether the session was TLS and who authenticated, and what
Python's e-mail parser (policy=default) makes of the message: its headers decoded, how many of each,
its content type and the decoded text of every part. On start it prints
"LISTENING <port> <certificate file or ->".
"""
import argparse
import warnings
import asyncio
import email
import email.policy
import json
import logging
import os
import signal
import ssl
import subprocess
import sys
import threading
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def make_certificate(workdir):
    cert = os.path.join(workdir, "cert.pem")
    key = os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return cert, ctx


def describe(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    counts = {}
    for name in msg.keys():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        parts.append({"content_type": part.get_content_type(), "charset": part.get_content_charset(),
                      "content": part.get_content()})
    return {"headers": [[k, str(v)] for k, v in msg.items()], "header_counts": counts,
            "content_type": msg.get_content_type(), "subject": str(msg["subject"] or ""),
            "message_id": str(msg["message-id"] or ""), "parts": parts}


class Recorder:
    def __init__(self, record_dir, scenario):
        self.record_dir = record_dir
        self.scenario = scenario
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.scenario == "reject_rcpt" and address.startswith("nobody"):
            return "550 5.1.1 <%s>: no such user" % address
        if self.scenario == "defer_rcpt":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        n = self.count
        raw = envelope.original_content or envelope.content
        with open(os.path.join(self.record_dir, f"{n:04d}.eml"), "wb") as f:
            f.write(raw)
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                  "auth_login": session.login_data.decode() if isinstance(session.login_data, bytes) else
                  session.login_data}
        try:
            record.update(describe(raw))
        except Exception as e:  # noqa: BLE001 - a message Python cannot parse is a finding
            record["parse_error"] = repr(e)
        with open(os.path.join(self.record_dir, f"{n:04d}.json"), "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        if self.scenario == "reject_data":
            return "554 5.6.0 message refused"
        return "250 Message accepted for delivery"


def exit_with_parent():
    """Stops this receiver when the test that started it is gone (even if it crashed)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class Silent(asyncio.Protocol):
    """Accepts a connection and never answers (a stalled server)."""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--record-dir", required=True)
    ap.add_argument("--tls", choices=["starttls", "implicit", "none"], default="starttls")
    ap.add_argument("--auth", default="")
    ap.add_argument("--scenario", default="ok")
    args = ap.parse_args()
    exit_with_parent()
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # refused handshakes are expected here
    warnings.filterwarnings("ignore", module="aiosmtpd")
    os.makedirs(args.record_dir, exist_ok=True)

    cert, ctx = ("-", None)
    if args.tls != "none":
        cert, ctx = make_certificate(args.record_dir)
    user, _, password = args.auth.partition(":")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and \
            auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    recorder = Recorder(args.record_dir, args.scenario)

    def factory():
        if args.scenario == "stall":
            return Silent()
        kwargs = {"hostname": "localhost", "ident": "awoooi-test-smtp"}
        if args.tls == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        if args.auth:
            # aiosmtpd only knows STARTTLS; with implicit TLS the whole session is already encrypted.
            kwargs.update(authenticator=authenticator, auth_required=True,
                          auth_require_tls=args.tls == "starttls")
        return SMTP(recorder, **kwargs)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(factory, "127.0.0.1", args.port, ssl=ctx if args.tls == "implicit" else None))
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port} {cert}", flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    sys.exit(main())
