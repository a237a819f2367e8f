"""Phone capture over the local network (`posture app --lan`): HTTPS with a certificate made on
the spot, a random access token in the phone's link, and an inbox in this process where the
phone's photos wait for the desktop's Assess page.

Who is who: the desktop is a browser on this computer that opened the app as localhost (the TCP
peer is loopback and the Host header names this computer's loopback); every other client is a
phone and gets nothing, not even the page's HTML, without the current token (HTTP 403). The
token travels in the link's query and then in a cookie (Secure, HttpOnly, SameSite=Strict) for
the page's own requests; a new token makes the old link and cookie worthless at once. Photos go
from the phone to this process and nowhere else; the inbox lives in memory and ends with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs

TOKEN_BYTES = 24  # 192 bits: not guessable over a network in any lifetime
COOKIE = "posture_lan"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
CERTIFICATE_DAYS = 30
MAIN_SCRIPT = Path(__file__).parent / "ui" / "main.py"
REFUSED_HTML = (
    b"<!doctype html><html lang='en'><meta name='viewport' content='width=device-width'>"
    b"<title>Access refused</title><body style='font-family:sans-serif;max-width:32em;margin:2em auto'>"
    b"<h1>Access refused</h1><p>This link has no valid access token, or the computer has made a new link "
    b"since. Scan the QR code on the computer's Assess page again.</p></body></html>"
)


class AccessToken:
    """The phone link's secret; `revoke` makes a new one and the old one stops working."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token = secrets.token_urlsafe(TOKEN_BYTES)

    @property
    def current(self) -> str:
        with self._lock:
            return self._token

    def admits(self, given: str | None) -> bool:
        """True only for the current token (compared in constant time)."""
        if not given:
            return False
        return secrets.compare_digest(given.encode(), self.current.encode())

    def revoke(self) -> str:
        with self._lock:
            self._token = secrets.token_urlsafe(TOKEN_BYTES)
            return self._token


@dataclass(frozen=True)
class PhonePhoto:
    slot: str  # front, side or back
    name: str  # the file name the phone gave
    data: bytes
    received_at: dt.datetime


class PhoneInbox:
    """The phone's latest photo per slot, in memory, until replaced, removed or the app stops.
    `version` grows with every change, so a desktop page can tell it has something new."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._photos: dict[str, PhonePhoto] = {}
        self.version = 0

    def put(self, slot: str, name: str, data: bytes) -> PhonePhoto:
        photo = PhonePhoto(slot, name, data, dt.datetime.now())
        with self._lock:
            self._photos[slot] = photo
            self.version += 1
        return photo

    def photos(self) -> dict[str, PhonePhoto]:
        with self._lock:
            return dict(self._photos)

    def remove(self, slot: str) -> None:
        with self._lock:
            if self._photos.pop(slot, None) is not None:
                self.version += 1

    def clear(self) -> None:
        with self._lock:
            self._photos.clear()
            self.version += 1


@dataclass(frozen=True)
class LanSession:
    """What `posture app --lan` shares with its pages: where the phone reaches this computer,
    the token and the inbox."""

    link_host: str
    token: AccessToken
    inbox: PhoneInbox

    def link(self, port: int) -> str:
        """The phone's link; `port` is the one the server got (Streamlit moves on when it's taken)."""
        host = f"[{self.link_host}]" if ":" in self.link_host else self.link_host
        return f"https://{host}:{port}/?token={self.token.current}"


_SESSION: LanSession | None = None


def current() -> LanSession | None:
    """The LAN session when the app runs with `--lan`, else None (the app on 127.0.0.1 only)."""
    return _SESSION


def is_desktop(peer: str | None, host_header: str | None) -> bool:
    """A browser on this computer that opened the app as localhost. A phone can't have a
    loopback peer; the Host check also turns away a web page that points a name of its own at
    this computer (DNS rebinding)."""
    if peer is None or host_header is None:
        return False
    try:
        loopback = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False
    return loopback and _host_name(host_header) in LOOPBACK_HOSTS


def _host_name(host_header: str) -> str:
    """'localhost:8501' → 'localhost', '[::1]:8501' → '::1'."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def write_certificate(folder: Path, link_host: str) -> tuple[Path, Path]:
    """A self-signed certificate for `link_host` (and localhost), made now; the key file readable
    by this user only. Phones' cameras and uploads need HTTPS; no authority can vouch for a
    computer on a home or clinic network, so the phone warns once."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "posture app on this computer")])
    names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(link_host)))
    except ValueError:
        names.append(x509.DNSName(link_host))
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))  # a phone's clock a little behind
        .not_valid_after(now + dt.timedelta(days=CERTIFICATE_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "certificate.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.touch(mode=0o600)
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def lan_address() -> str | None:
    """This computer's address on the local network: the source address the system would use
    for an outside route. A UDP connect sends nothing; it only asks the routing table."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never answers, nothing is sent
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0" else address


class LanGate:
    """ASGI middleware in front of Streamlit: the desktop passes; anyone else needs the current
    token (in the query of the link, or the cookie set when the link was opened), or gets 403
    and nothing else: no page, no WebSocket, no upload."""

    def __init__(self, app, session: LanSession) -> None:
        self.app = app
        self.session = session

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        peer = scope["client"][0] if scope.get("client") else None
        if is_desktop(peer, headers.get("host")):
            await self.app(scope, receive, send)
            return
        from_query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [None])[0]
        cookie = SimpleCookie(headers.get("cookie", ""))
        # A link's own token decides, even over a cookie from an earlier link: a wrong or old link
        # is refused as such.
        given = from_query if from_query is not None else (cookie[COOKIE].value if COOKIE in cookie else None)
        if self.session.token.admits(given):
            sending = _with_cookie(send, given) if from_query is not None and scope["type"] == "http" else send
            await self.app(scope, receive, sending)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
        else:
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": REFUSED_HTML})


def _with_cookie(send, token: str):
    """`send` that hands the token to the browser as a cookie, so the page's own requests (which
    don't carry the link's query) are let in too."""
    cookie = f"{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict".encode("latin-1")

    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
        await send(message)

    return sending


def serve(port: int, bind: str, link_host: str) -> None:
    """Run the app over HTTPS on `bind`:`port` until stopped (Ctrl+C or SIGTERM); the phone's
    link names `link_host`. The key is deleted as soon as the server has read it; the inbox goes
    when the server stops."""
    from starlette.middleware import Middleware
    from streamlit.web.server.starlette import App

    global _SESSION
    folder = Path(tempfile.mkdtemp(prefix="posture-lan-"))  # mode 0700

    @contextlib.asynccontextmanager
    async def forget_key(_app):
        shutil.rmtree(folder, ignore_errors=True)  # uvicorn loaded it before the app's start-up
        yield None

    # uvicorn stops gracefully on SIGTERM, then raises it again: a handler instead of the default
    # (which ends the process at once) lets `finally` run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    session = LanSession(link_host, AccessToken(), PhoneInbox())
    try:
        cert_file, key_file = write_certificate(folder, link_host)
        _SESSION = session
        app = App(str(MAIN_SCRIPT), middleware=[Middleware(LanGate, session=session)], lifespan=forget_key)
        app.run(config={
            "server.address": bind, "server.port": port, "server.headless": True,
            "server.maxUploadSize": 50, "server.fileWatcherType": "none",
            "server.sslCertFile": str(cert_file), "server.sslKeyFile": str(key_file),
            "browser.gatherUsageStats": False, "client.toolbarMode": "minimal",
        })
    finally:
        session.inbox.clear()
        _SESSION = None
        shutil.rmtree(folder, ignore_errors=True)
