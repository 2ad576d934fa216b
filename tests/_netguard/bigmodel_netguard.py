"""The test run's no-network guard: refuse every connection that leaves this machine.

Installed in the pytest process by conftest.py and, through tests/_netguard/sitecustomize.py (which the
test session puts first on PYTHONPATH), in every Python process the test run starts: notebook kernels,
papermill, `bigmodel run`, torchrun workers, JupyterLab, pip. Loopback addresses and Unix sockets stay
allowed: kernels, JupyterLab and torch.distributed's rendezvous talk over them.

A refused attempt raises NetworkBlocked (an OSError, so code written for an offline machine handles it
as it would handle no network) and, when BIGMODEL_NETGUARD_LOG names a file, appends one line to it:
conftest.py fails the test session if any process logged an attempt, so a library that swallows the
error still cannot hide that it tried to download something.
"""
from __future__ import annotations

import ipaddress
import os
import socket
import sys
import time

LOG_ENV = "BIGMODEL_NETGUARD_LOG"
GUARD = "bigmodel no-network guard (tests/_netguard)"

_real = {}


class NetworkBlocked(ConnectionRefusedError):
    """A connection or name lookup outside this machine, refused by the test run's guard."""


def _is_local_host(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host is None or host in ("", "localhost", "localhost.localdomain") or str(host).endswith(".localhost"):
        return True
    host = str(host)
    try:
        if host == _real["gethostname"]():
            return True
    except OSError:
        pass
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    ip = mapped or ip
    return ip.is_loopback or ip.is_unspecified


def _is_ip_literal(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    try:
        ipaddress.ip_address(str(host).split("%")[0])
        return True
    except ValueError:
        return False


def _refuse(what: str, target) -> None:
    msg = (f"{GUARD} refused {what} {target!r} in process {os.getpid()} ({' '.join(sys.argv[:3])[:200]}): "
           f"the course and its tests must not use the network")
    path = os.environ.get(LOG_ENV)
    if path:
        try:
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"{time.strftime('%H:%M:%S')} {msg}\n")
        except OSError:
            pass
    raise NetworkBlocked(msg)


def _inet(sock) -> bool:
    return sock.family in (socket.AF_INET, socket.AF_INET6)


def _connect(self, address):
    if _inet(self) and isinstance(address, tuple) and not _is_local_host(address[0]):
        _refuse("a connection to", address)
    return _real["connect"](self, address)


def _connect_ex(self, address):
    if _inet(self) and isinstance(address, tuple) and not _is_local_host(address[0]):
        _refuse("a connection to", address)
    return _real["connect_ex"](self, address)


def _sendto(self, data, *args):
    address = args[-1] if args else None
    if _inet(self) and isinstance(address, tuple) and not _is_local_host(address[0]):
        _refuse("a datagram to", address)
    return _real["sendto"](self, data, *args)


def _getaddrinfo(host, *args, **kwargs):
    # a name other than this machine's would be looked up over the network; IP literals need no lookup
    if not (_is_local_host(host) or _is_ip_literal(host)):
        _refuse("a name lookup of", host)
    return _real["getaddrinfo"](host, *args, **kwargs)


def _gethostbyname(host):
    if not (_is_local_host(host) or _is_ip_literal(host)):
        _refuse("a name lookup of", host)
    return _real["gethostbyname"](host)


def _gethostbyname_ex(host):
    if not (_is_local_host(host) or _is_ip_literal(host)):
        _refuse("a name lookup of", host)
    return _real["gethostbyname_ex"](host)


def install() -> None:
    """Patch the socket module of this process (idempotent)."""
    if _real:
        return
    _real.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex, sendto=socket.socket.sendto,
                 getaddrinfo=socket.getaddrinfo, gethostbyname=socket.gethostbyname,
                 gethostbyname_ex=socket.gethostbyname_ex, gethostname=socket.gethostname)
    socket.socket.connect = _connect
    socket.socket.connect_ex = _connect_ex
    socket.socket.sendto = _sendto
    socket.getaddrinfo = _getaddrinfo
    socket.gethostbyname = _gethostbyname
    socket.gethostbyname_ex = _gethostbyname_ex


def installed() -> bool:
    return bool(_real)
