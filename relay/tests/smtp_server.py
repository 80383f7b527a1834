"""A real SMTP server for the relay's tests: aiosmtpd with STARTTLS required and AUTH
PLAIN/LOGIN required (after TLS). Every message is written to OUT/<n>.eml exactly as received
(after SMTP dot-unstuffing) with OUT/<n>.json holding the envelope and the AUTH mechanism.

    python smtp_server.py PORT CERT KEY OUT USER PASSWORD

Prints READY once listening; stops when stdin closes.
"""
import json
import warnings
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

warnings.simplefilter("ignore", DeprecationWarning)  # aiosmtpd 1.4 warns about its own Session.login_data
port, cert, key, out, user, password = sys.argv[1:7]
port = int(port)


class Handler:
    def __init__(self):
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(out, "%03d" % self.n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mechanism": getattr(session, "relay_mechanism", None),
            "tls": session.ssl is not None,
        }
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == user.encode()
        and auth_data.password == password.encode()
    )
    if ok:
        session.relay_mechanism = mechanism
    return AuthResult(success=ok)


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
controller = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=port,
    server_hostname="localhost",
    tls_context=ctx,
    require_starttls=True,
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=True,
    ready_timeout=20,
)
controller.start()
print("READY", flush=True)
try:
    sys.stdin.read()
finally:
    controller.stop()
