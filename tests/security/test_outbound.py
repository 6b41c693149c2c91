"""A salon's Cal.com base URL cannot make phasebook send its key into the server's own
network: https and public addresses only, checked when saved and at every connection."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import httpcore
import httpx
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from phasebook.calcom.models import CalcomConnection
from phasebook.security import outbound
from phasebook.security.outbound import GuardedTransport, OutboundRefused, check_url

PUBLIC = "104.18.32.7"


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names this test resolves, and to what; no real lookup happens."""
    answers: dict[str, list[str]] = {}

    def resolve(host: str, port: int, **_: object) -> list[tuple]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(outbound, "resolve", resolve)
    return answers


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The addresses phasebook opened a socket to."""
    opened: list[str] = []
    original = httpcore.SyncBackend.connect_tcp

    def connect(self, host: str, port: int, *args: object, **kwargs: object):
        opened.append(host)
        return original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect)
    return opened


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://cal.example.com", "https"),
        ("ftp://cal.example.com", "https"),
        ("https://10.0.0.5", "privat"),
        ("https://192.168.1.1:8443", "privat"),
        ("https://100.64.0.1", "privat"),
        ("https://0.0.0.0", "privat"),
        ("https://169.254.169.254", "link-lokal"),
        ("https://[fe80::1]", "link-lokal"),
        ("https://[::ffff:10.0.0.1]", "privat"),
        ("https://127.0.0.1:8765", "Loopback"),
        ("https://[::1]", "Loopback"),
        ("http://127.0.0.1:8765", "https"),
        ("https://224.0.0.1", "Multicast"),
    ],
)
def test_urls_into_the_servers_own_network_are_refused(dns, url: str, why: str) -> None:
    with pytest.raises(OutboundRefused, match=why):
        check_url(url, allow_loopback=False)


def test_a_name_that_resolves_to_a_private_address_is_refused(dns) -> None:
    dns["cal.example.com"] = [PUBLIC, "10.1.2.3"]

    with pytest.raises(OutboundRefused, match=r"cal\.example\.com ist eine private"):
        check_url("https://cal.example.com", allow_loopback=False)


def test_a_public_https_name_is_accepted(dns) -> None:
    dns["api.cal.com"] = [PUBLIC]

    check_url("https://api.cal.com", allow_loopback=False)  # raises if refused


def test_loopback_over_http_is_accepted_only_where_allowed(dns) -> None:
    dns["localhost"] = ["127.0.0.1"]

    check_url("http://127.0.0.1:8765", allow_loopback=True)
    check_url("http://localhost:8765", allow_loopback=True)
    with pytest.raises(OutboundRefused):
        check_url("http://10.0.0.5", allow_loopback=True)


@pytest.mark.django_db
def test_saving_a_link_local_base_url_is_refused_in_the_callers_language(
    dns, settings, salon
) -> None:
    settings.PHASEBOOK_CALCOM_ALLOW_LOOPBACK = False
    connection = CalcomConnection(company=salon.company, base_url="https://169.254.169.254")

    with pytest.raises(ValidationError) as refused:
        connection.full_clean()
    with translation.override("en"), pytest.raises(ValidationError) as refused_en:
        connection.full_clean()

    assert "link-lokale Adresse" in refused.value.message_dict["base_url"][0]
    assert "link-local address" in refused_en.value.message_dict["base_url"][0]


@pytest.mark.django_db
def test_calcom_connect_refuses_a_private_base_url_with_a_message(dns, settings, salon) -> None:
    settings.PHASEBOOK_CALCOM_ALLOW_LOOPBACK = False

    with pytest.raises(CommandError, match="private oder reservierte"):
        call_command(
            "calcom_connect",
            company=salon.company.slug,
            base_url="https://10.0.0.9",
            stdout=StringIO(),
        )
    assert not CalcomConnection.objects.exists()


def test_a_name_that_rebinds_to_a_private_address_gets_no_connection(dns, connections) -> None:
    dns["cal.example.com"] = [PUBLIC]
    check_url("https://cal.example.com", allow_loopback=False)  # at save time: public
    dns["cal.example.com"] = ["192.168.0.10"]  # now

    guarded = httpx.Client(transport=GuardedTransport(allow_loopback=False))
    with guarded, pytest.raises(httpx.ConnectError, match="private"):
        guarded.get("https://cal.example.com/v2/bookings")

    assert connections == []


@pytest.fixture
def local_server() -> Iterator[int]:
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_transport_reaches_the_emulator_on_loopback_only_when_allowed(
    local_server: int, connections
) -> None:
    url = f"http://127.0.0.1:{local_server}/"

    with httpx.Client(transport=GuardedTransport(allow_loopback=True)) as client:
        assert client.get(url).text == "hello"
    refusing = httpx.Client(transport=GuardedTransport(allow_loopback=False))
    with refusing, pytest.raises(httpx.ConnectError, match="Loopback"):
        refusing.get(url)

    assert connections == ["127.0.0.1"]  # the vetted address, once
