"""A file-mode extract checks each record against its stream once (in `to_record`, not again in the
extract) and serialises a JSON record's raw text only when the record is quarantined."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

import connectors.x
from civicpulse.extract import extract_source
from civicpulse.streams import Stream
from tests.conftest import sources_config

FIXTURE = Path(__file__).parent / "fixtures" / "x" / "x_recent_search_20240506_page01.json"
DAY = dt.date(2024, 5, 6)


def test_each_record_is_checked_once_and_its_raw_text_made_only_for_quarantine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sources_config(tmp_path, monkeypatch, "extract-once-test-key-0123456789abcdef", ("x_riverton",))
    shutil.copy(FIXTURE, config.inbox(config.source("x_riverton")) / FIXTURE.name)
    calls = {"conform": 0, "json_raw": 0}
    conform, json_raw = Stream.conform, connectors.x.json_raw

    def counted_conform(self: Stream, values: dict[str, Any]) -> str | None:
        calls["conform"] += 1
        return conform(self, values)

    def counted_json_raw(item: Any) -> str:
        calls["json_raw"] += 1
        return json_raw(item)

    monkeypatch.setattr(Stream, "conform", counted_conform)
    monkeypatch.setattr(connectors.x, "json_raw", counted_json_raw)
    summary = extract_source(config, "x_riverton", DAY, DAY + dt.timedelta(days=2))
    read = summary.records + summary.quarantined + summary.outside_interval
    assert summary.records > 0
    assert calls == {"conform": read, "json_raw": summary.quarantined}
