"""Where phasebook may send requests on a salon's behalf.

A salon admin chooses the Cal.com base URL, and phasebook sends the salon's API key there.
Left open, that lets anyone with a salon login make the server talk to its own network
(the cloud's metadata service, a database port, a listener on loopback). So an outbound URL
- uses https; plain http only to a loopback address, and only where the deployment allows
  loopback (`settings.PHASEBOOK_CALCOM_ALLOW_LOOPBACK`: the local Cal.com emulator);
- reaches only globally routable addresses: private, shared, link-local, loopback (unless
  allowed), multicast, reserved and unspecified ones are refused;
- is checked when it is saved (`validate_outbound_url`, a model field validator) and again
  at every connection: `GuardedTransport` resolves the host itself, vets every address it
  gets, and connects to the address it vetted. A name that resolved to a public address at
  save time and to a private one now (DNS rebinding) therefore gets nowhere.
"""

from __future__ import annotations

import ipaddress
import socket
import typing
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The resolver, a module attribute so tests can answer for names this machine cannot look up.
resolve = socket.getaddrinfo


class OutboundRefused(Exception):
    """The URL or the address it resolves to is not one phasebook sends requests to."""


class Unresolvable(OutboundRefused):
    """The URL's host name does not resolve (here and now)."""


def loopback_allowed() -> bool:
    return bool(settings.PHASEBOOK_CALCOM_ALLOW_LOOPBACK)


def address_refusal(address: Address, *, allow_loopback: bool) -> str | None:
    """Why phasebook does not connect to `address`, or None if it may."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:  # ::ffff:10.0.0.1 is 10.0.0.1
        address = mapped
    if address.is_loopback:
        return None if allow_loopback else gettext("eine Loopback-Adresse")
    if address.is_link_local:
        return gettext("eine link-lokale Adresse")
    if address.is_multicast:
        return gettext("eine Multicast-Adresse")
    if not address.is_global:
        return gettext("eine private oder reservierte Adresse")
    return None


def vetted_addresses(host: str, port: int, *, allow_loopback: bool) -> list[str]:
    """Every address `host` resolves to, if phasebook may connect to all of them."""
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Unresolvable(
            gettext("%(host)s lässt sich nicht auflösen.") % {"host": host}
        ) from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise Unresolvable(gettext("%(host)s lässt sich nicht auflösen.") % {"host": host})
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])  # without an IPv6 zone (%eth0)
        refusal = address_refusal(address, allow_loopback=allow_loopback)
        if refusal is not None:
            raise OutboundRefused(
                gettext("%(host)s ist %(kind)s (%(address)s); dorthin sendet phasebook nichts.")
                % {"host": host, "kind": refusal, "address": text}
            )
    return addresses


def check_url(url: str, *, allow_loopback: bool) -> None:
    """Raise OutboundRefused unless phasebook may send requests to `url` now."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise OutboundRefused(gettext("Bitte eine https-Adresse angeben."))
    literal = _ip_literal(host)
    if parts.scheme == "http" and not (allow_loopback and _is_loopback(host, literal)):
        raise OutboundRefused(
            gettext(
                "Bitte https verwenden; http nur für den lokalen Emulator auf 127.0.0.1, "
                "wenn PHASEBOOK_CALCOM_ALLOW_LOOPBACK=1 gesetzt ist."
            )
        )
    if literal is not None:
        refusal = address_refusal(literal, allow_loopback=allow_loopback)
        if refusal is not None:
            raise OutboundRefused(
                gettext("%(host)s ist %(kind)s; dorthin sendet phasebook nichts.")
                % {"host": host, "kind": refusal}
            )
    else:
        vetted_addresses(host, parts.port or 443, allow_loopback=allow_loopback)


def _ip_literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str, literal: Address | None) -> bool:
    return literal.is_loopback if literal is not None else host == "localhost"


def validate_outbound_url(value: str) -> None:
    """Model field validator: `check_url` when the URL is saved.

    A name that does not resolve here is accepted: it may resolve where the workers run, and
    every connection is vetted again anyway."""
    try:
        check_url(value, allow_loopback=loopback_allowed())
    except Unresolvable:
        return
    except OutboundRefused as error:
        raise ValidationError(str(error), code="outbound_refused") from error


class _VettingBackend(httpcore.NetworkBackend):
    """Connects only to addresses `vetted_addresses` allows, and to exactly those."""

    def __init__(self, allow_loopback: bool) -> None:
        self._allow_loopback = allow_loopback
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = vetted_addresses(host, port, allow_loopback=self._allow_loopback)
        except OutboundRefused as error:
            # httpx turns it into httpx.ConnectError: the caller's usual "unreachable" path.
            raise httpcore.ConnectError(str(error)) from error
        last_error: Exception | None = None
        for address in addresses:
            try:
                # TLS still verifies the certificate for `host`: httpcore passes the
                # request's host name to start_tls, not this address.
                return self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                last_error = error
        raise last_error or httpcore.ConnectError(f"{host}: no address")

    def connect_unix_socket(
        self, *args: typing.Any, **kwargs: typing.Any
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not an outbound destination")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that connects only where `check_url` would allow, at request time.

    It ignores proxy settings from the environment: through a proxy, the addresses it
    vetted would be the proxy's, not the destination's."""

    def __init__(self, *, allow_loopback: bool | None = None) -> None:
        super().__init__(trust_env=False)
        # httpx has no parameter for httpcore's network backend, so the pool it built is
        # replaced by one that is the same but for the backend.
        limits = httpx.Limits()  # httpx's defaults, as HTTPTransport uses them
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_VettingBackend(
                loopback_allowed() if allow_loopback is None else allow_loopback
            ),
        )
