"""Two fault-injecting servers on two origins (127.0.0.1 and localhost, different ports)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.http.fakes import FaultServer


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


@pytest.fixture
def elsewhere() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()
