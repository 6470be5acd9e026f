"""`policycheck serve --workers N` answers keep-alive requests without Nagle's 40 ms delay, and
its per-worker SO_REUSEPORT listeners share one port that nothing else can take."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import pytest

from api.server import _free_port, reuse_port_balances
from api.worker import _Config, bind_reuse_port


def shared_listener() -> socket.socket:  # uvicorn's supervisor (where SO_REUSEPORT is not used)
    config = _Config("api.app:create_app", factory=True, host="127.0.0.1", port=0, workers=2)
    return config.bind_socket()


def own_listener() -> socket.socket:  # each worker's (Linux)
    return bind_reuse_port("127.0.0.1", 0)


@pytest.mark.parametrize("make_listener", [shared_listener, own_listener])
def test_listeners_give_accepted_connections_tcp_nodelay(
    make_listener: Callable[[], socket.socket],
) -> None:
    if make_listener is own_listener and not reuse_port_balances():
        pytest.skip("SO_REUSEPORT listeners are used on Linux only")
    listener = make_listener()
    assert listener.proto == socket.IPPROTO_TCP
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(accept_one())
    assert seen and seen[0] != 0


@pytest.mark.skipif(not reuse_port_balances(), reason="SO_REUSEPORT listeners: Linux only")
def test_workers_share_the_port_and_the_supervisor_sees_it_taken() -> None:
    port = _free_port("127.0.0.1", 0)
    first = bind_reuse_port("127.0.0.1", port)
    second = bind_reuse_port("127.0.0.1", port)  # the next worker's, same port
    try:
        first.listen()
        second.listen()
        with pytest.raises(OSError):  # another server's workers still listen: refuse, not join
            _free_port("127.0.0.1", port)
    finally:
        first.close()
        second.close()
    assert _free_port("127.0.0.1", port) == port
