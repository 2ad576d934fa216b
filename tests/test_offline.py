"""The no-network guard of conftest.py really blocks: a connection outside localhost fails at once."""
import socket

import pytest

from conftest import NetworkBlocked


def test_outside_connection_is_refused():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkBlocked):
            s.connect(("93.184.216.34", 80))
    finally:
        s.close()
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.com", 443)


def test_localhost_is_allowed():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.connect(server.getsockname())
    finally:
        client.close()
        server.close()
