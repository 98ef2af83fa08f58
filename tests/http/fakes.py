"""A clock whose sleep only moves time forward, injected into ApiSession so tests never wait."""

from __future__ import annotations


class FakeClock:
    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.current = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += seconds
