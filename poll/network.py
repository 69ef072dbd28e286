"""The address phones use to reach this server (for the QR code and the join link).

A QR code that points at `localhost` is useless in the room: phones must get an address of this
machine on the venue network.
"""

from __future__ import annotations

import ipaddress
import socket

import psutil

from .config import Settings

# Interfaces that are never the venue network (containers, VPN tunnels, virtual bridges).
_VIRTUAL = ("docker", "br-", "veth", "virbr", "lxc", "lxd", "tun", "tap", "wg", "zt", "vmnet",
            "utun")


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback and link-local, private ranges first."""
    found: list[tuple[int, str]] = []
    for name, addrs in psutil.net_if_addrs().items():
        if name.startswith(_VIRTUAL):
            continue
        for addr in addrs:
            if addr.family != socket.AF_INET:
                continue
            ip = ipaddress.ip_address(addr.address)
            if ip.is_loopback or ip.is_link_local or ip.is_unspecified:
                continue
            found.append((0 if ip.is_private else 1, addr.address))
    return [address for _, address in sorted(found)]


def _url(host: str, port: int) -> str:
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"http://{host}" if port == 80 else f"http://{host}:{port}"


def public_base_url(settings: Settings) -> tuple[str, str | None]:
    """The base URL for links and QR codes, and a warning for the moderator when phones will not
    be able to use it."""
    if settings.public_url:
        return settings.public_url.rstrip("/"), None
    host = settings.host
    if host in ("0.0.0.0", "::", ""):
        addresses = lan_addresses()
        if addresses:
            return _url(addresses[0], settings.port), None
        return _url("localhost", settings.port), (
            "No network address other than loopback was found: phones cannot reach "
            "this server. Connect to the venue network, or pass --public-url."
        )
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return _url("localhost" if host == "localhost" else host, settings.port), (
            f"Listening on {host} only: phones cannot reach this server. "
            "Use --host 0.0.0.0 (or --public-url) at an event."
        )
    return _url(host, settings.port), None
