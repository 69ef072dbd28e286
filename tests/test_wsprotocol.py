"""The lean websocket protocol is used only with the uvicorn it was tested against."""

from __future__ import annotations

import pytest

from poll.ws import protocol as wsprotocol


def test_the_lean_protocol_only_with_a_tested_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsprotocol, "version", lambda _: "0.54.0")
    assert wsprotocol.websocket_protocol() is wsprotocol.LeanWebSocketProtocol
    monkeypatch.setattr(wsprotocol, "version", lambda _: "0.60.1")
    assert wsprotocol.websocket_protocol() == "websockets-sansio"
