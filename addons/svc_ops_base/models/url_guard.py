"""Outbound URL guard: the server must not be made to call itself or its private network.

A manager of integrations configures webhook URLs; without this guard they could point
one at the database port, the metadata service of a cloud host (169.254.169.254) or an
internal admin page, and read the answer in the outbox's last error. The host is resolved
and every address it resolves to must be public. The check runs when the URL is saved and
again before each delivery (DNS can change after the save).

An administrator allows private targets with the system parameter
``svc_ops_base.allow_private_endpoints``: ``True`` allows every host, any other value is a
comma-separated list of host names or IP addresses allowed (``erp.internal,10.0.0.5``).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

ALLOW_PARAM = "svc_ops_base.allow_private_endpoints"

# The ranges refused, besides what `ipaddress` calls loopback, link-local and unspecified.
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.168.0.0/16", "::1/128", "::/128", "fc00::/7", "fe80::/10",
    )
)  # fmt: skip


def url_host(url):
    """The host name of `url`, lower case, without brackets (None when the URL has none)."""
    try:
        host = urlsplit(url or "").hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def is_blocked_address(address):
    """True when the IP address (a string) lies in a loopback, link-local, private or
    unspecified range, IPv4-mapped IPv6 addresses included."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or any(ip in network for network in BLOCKED_NETWORKS if network.version == ip.version)
    )


def resolve(host):
    """Every address `host` resolves to (an IP literal resolves to itself, without DNS).
    Raises OSError when the name does not resolve."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return [str(literal)]
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


def allowed_hosts(param_value):
    """The parameter's value as True (every host allowed) or a set of allowed host names."""
    value = (param_value or "").strip()
    if value.lower() in ("true", "1", "yes"):
        return True
    return {host.strip().lower().rstrip(".") for host in value.split(",") if host.strip()}


def private_target(url, param_value, unresolved_ok=True):
    """The private address `url` points at, or None when the target is public or allowed.

    `unresolved_ok`: a host that does not resolve passes (the delivery will fail on its
    own); with False it is reported as unresolvable ("unresolved").
    """
    host = url_host(url)
    if not host:
        return None
    allowed = allowed_hosts(param_value)
    if allowed is True or host in allowed:
        return None
    try:
        addresses = resolve(host)
    except (OSError, UnicodeError):
        return None if unresolved_ok else "unresolved"
    for address in addresses:
        if is_blocked_address(address) and address not in allowed:
            return address
    return None
