"""Phone capture's security pieces without a server: the token, who counts as the desktop, the
certificate made on the spot, the gate in front of Streamlit, the inbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from posture.lan import COOKIE, AccessToken, LanGate, LanSession, PhoneInbox, is_desktop, write_certificate

LAN_PEER, LAN_HOST = "192.168.1.23", "192.168.1.5:8501"


def test_only_the_current_token_is_admitted():
    token = AccessToken()
    first = token.current
    assert len(first) >= 32 and token.admits(first)
    for wrong in (None, "", first[:-1], first + "x", first.swapcase()):
        assert not token.admits(wrong), wrong
    second = token.revoke()
    assert second != first and token.current == second
    assert token.admits(second) and not token.admits(first)  # the old link stops working


@pytest.mark.parametrize(("peer", "host", "desktop"), [
    ("127.0.0.1", "localhost:8501", True),
    ("127.0.0.1", "127.0.0.1:8501", True),
    ("::1", "[::1]:8501", True),
    (LAN_PEER, "localhost:8501", False),  # a phone can't make itself the desktop by naming localhost
    ("127.0.0.1", "attacker.example:8501", False),  # a web page that points its own name at this computer
    ("127.0.0.1", LAN_HOST, False),  # this computer's browser opening the phone's link is a phone
    (None, "localhost:8501", False),
    ("not an address", "localhost", False),
])
def test_the_desktop_is_a_loopback_peer_that_asked_for_localhost(peer, host, desktop):
    assert is_desktop(peer, host) is desktop


@pytest.mark.parametrize("link_host", ["192.168.1.5", "fd00::5", "posture-phone.test"])
def test_the_certificate_is_made_for_the_link_and_its_key_is_private(tmp_path, link_host):
    cert_file, key_file = write_certificate(tmp_path, link_host)
    certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    try:
        assert ipaddress.ip_address(link_host) in names.get_values_for_type(x509.IPAddress)
    except ValueError:
        assert link_host in names.get_values_for_type(x509.DNSName)
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert certificate.issuer == certificate.subject  # self-signed, and signed by this very key:
    certificate.public_key().verify(certificate.signature, certificate.tbs_certificate_bytes,
                                    ec.ECDSA(certificate.signature_hash_algorithm))
    assert key.public_key().public_numbers() == certificate.public_key().public_numbers()
    now = dt.datetime.now(dt.UTC)
    assert certificate.not_valid_before_utc < now < certificate.not_valid_after_utc < now + dt.timedelta(days=31)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_each_certificate_has_its_own_key(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    keys = {write_certificate(folder, "192.168.1.5")[1].read_bytes() for folder in (first, second)}
    assert len(keys) == 2


def _through_gate(session: LanSession, kind: str, peer: str, host: str, query: str = "", cookie: str | None = None,
                  path: str = "/"):
    """(whether Streamlit was reached, the messages the client got) for one request."""
    reached, sent = [], []

    async def streamlit(scope, receive, send):
        reached.append(scope["path"])
        if kind == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"the app"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    headers = [(b"host", host.encode())] + ([(b"cookie", cookie.encode())] if cookie else [])
    scope = {"type": kind, "path": path, "query_string": query.encode(), "headers": headers, "client": (peer, 50000)}
    asyncio.run(LanGate(streamlit, session)(scope, receive, send))
    return bool(reached), sent


def _status(sent) -> int | None:
    return next((m["status"] for m in sent if m["type"] == "http.response.start"), None)


@pytest.fixture
def session() -> LanSession:
    return LanSession("192.168.1.5", AccessToken(), PhoneInbox())


def test_a_phone_without_the_token_gets_403_and_nothing_of_the_app(session):
    for query in ("", "token=", "token=wrong", f"token={session.token.current[:-2]}"):
        reached, sent = _through_gate(session, "http", LAN_PEER, LAN_HOST, query)
        assert not reached and _status(sent) == 403
        assert b"Access refused" in sent[-1]["body"] and b"the app" not in sent[-1]["body"]
    upload = _through_gate(session, "http", LAN_PEER, LAN_HOST, path="/_stcore/upload_file/session/file")
    assert not upload[0] and _status(upload[1]) == 403
    reached, sent = _through_gate(session, "websocket", LAN_PEER, LAN_HOST, path="/_stcore/stream")
    assert not reached and sent == [{"type": "websocket.close", "code": 1008}]  # refused before accept


def test_the_link_lets_the_phone_in_and_leaves_a_strict_cookie_for_the_page_requests(session):
    token = session.token.current
    reached, sent = _through_gate(session, "http", LAN_PEER, LAN_HOST, f"token={token}")
    assert reached and _status(sent) == 200
    cookies = [value.decode() for name, value in sent[0]["headers"] if name == b"set-cookie"]
    assert cookies == [f"{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict"]
    for kind in ("http", "websocket"):
        assert _through_gate(session, kind, LAN_PEER, LAN_HOST, cookie=f"{COOKIE}={token}", path="/_stcore/stream")[0]


def test_a_new_link_shuts_out_the_old_link_and_its_cookie(session):
    old = session.token.current
    session.token.revoke()
    for query, cookie in ((f"token={old}", None), ("", f"{COOKIE}={old}")):
        reached, sent = _through_gate(session, "http", LAN_PEER, LAN_HOST, query, cookie)
        assert not reached and _status(sent) == 403
    assert not _through_gate(session, "websocket", LAN_PEER, LAN_HOST, cookie=f"{COOKIE}={old}")[0]


def test_a_wrong_link_is_refused_even_with_a_good_cookie(session):
    reached, sent = _through_gate(session, "http", LAN_PEER, LAN_HOST, "token=wrong",
                                  f"{COOKIE}={session.token.current}")
    assert not reached and _status(sent) == 403


def test_the_desktop_needs_no_token_but_a_rebinding_page_does(session):
    assert _through_gate(session, "http", "127.0.0.1", "localhost:8501")[0]
    assert _through_gate(session, "websocket", "127.0.0.1", "127.0.0.1:8501")[0]
    reached, sent = _through_gate(session, "http", "127.0.0.1", "attacker.example:8501")
    assert not reached and _status(sent) == 403


def test_the_inbox_keeps_the_latest_photo_per_view_and_counts_changes():
    inbox = PhoneInbox()
    versions = [inbox.version]
    inbox.put("front", "IMG_1.jpg", b"one")
    inbox.put("front", "IMG_2.jpg", b"two")
    inbox.put("side", "IMG_3.jpg", b"three")
    versions.append(inbox.version)
    assert {slot: photo.data for slot, photo in inbox.photos().items()} == {"front": b"two", "side": b"three"}
    inbox.remove("front")
    inbox.remove("back")  # nothing there: no change
    assert list(inbox.photos()) == ["side"] and inbox.version == versions[-1] + 1
    inbox.clear()
    assert inbox.photos() == {} and inbox.version == versions[-1] + 2


def test_the_link_carries_the_current_token_and_brackets_an_ipv6_address():
    token = AccessToken()
    assert LanSession("192.168.1.5", token, PhoneInbox()).link(8501) == f"https://192.168.1.5:8501/?token={token.current}"
    assert LanSession("fd00::5", token, PhoneInbox()).link(8443).startswith("https://[fd00::5]:8443/?token=")


def test_app_lan_serves_on_the_network_with_the_link_naming_this_computers_address(monkeypatch, capsys):
    import posture.lan
    from posture.cli import main

    served = []
    monkeypatch.setattr(posture.lan, "lan_address", lambda: "192.168.1.5")
    monkeypatch.setattr(posture.lan, "serve", lambda *args: served.append(args))
    assert main(["app", "--lan", "--port", "8642"]) == 0
    assert served == [(8642, "0.0.0.0", "192.168.1.5")]
    said = capsys.readouterr().err
    assert "https://localhost:8642" in said and "certificate" in said
    monkeypatch.setattr(posture.lan, "lan_address", lambda: None)
    assert main(["app", "--lan"]) == 2 and "no address on a local network" in capsys.readouterr().err
