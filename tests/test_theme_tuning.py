"""`civicpulse themes sample|eval|train`: a city's tuning loop against a small real DuckDB warehouse."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from civicpulse.cli import main
from civicpulse.config import Config, load_config
from civicpulse.warehouse.connection import published_path
from tests.conftest import write_project_config
from transforms.themes import DEFAULT_TAXONOMY_PATH, Taxonomy

STREETS = ["Elm St", "Oak Ave", "Pine Rd", "Main St", "Lake Dr", "Hill Rd", "Park Ln", "River Rd"]
TEXTS = [
    *(f"Reported the streetlight on {s} in March and it is still not fixed" for s in STREETS),
    *(f"Called twice about the pothole on {s}, never heard back" for s in STREETS),
    *(f"Streetlight out at {s}" for s in STREETS),
    *(f"Please pick up the bulk trash on {s}. Thank you" for s in STREETS),
]


@pytest.fixture
def city(tmp_path: Path) -> Config:
    taxonomy_dir = tmp_path / "themes"
    (taxonomy_dir / "models").mkdir(parents=True)
    shutil.copy(DEFAULT_TAXONOMY_PATH, taxonomy_dir / "themes.yml")
    model = DEFAULT_TAXONOMY_PATH.parent / "models" / "themes_model.json"
    shutil.copy(model, taxonomy_dir / "models" / "themes_model.json")
    config = load_config(write_project_config(tmp_path, themes=str(taxonomy_dir / "themes.yml")))
    path = published_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema staging")
    con.execute(
        "create table staging.stg_feedback_texts "
        "(feedback_id varchar, channel varchar, service_id varchar, text varchar, text_hash varchar)"
    )
    for index, text in enumerate(TEXTS):
        channel = ("social", "phone")[index % 2]
        service = ("streets", "sanitation")[(index // 2) % 2]
        con.execute(
            "insert into staging.stg_feedback_texts values (?, ?, ?, ?, md5(?))",
            [f"f{index}", channel, service, text, text],
        )
    con.close()
    return config


def _labels(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.jsonl"
    records = []
    for text in TEXTS:
        themes = []
        if "still not fixed" in text:
            themes = ["wait_time"]
        elif "never heard back" in text:
            themes = ["resolution_followup"]
        records.append(json.dumps({"text": text, "themes": themes}))
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


def test_sample_writes_uncertain_texts_from_every_service_and_channel(
    city: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "to_label.jsonl"
    assert main(["--config", str(city.path), "themes", "sample", "--n", "8", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 8 and "8 texts to label" in capsys.readouterr().out
    assert {(r["service_id"], r["channel"]) for r in records} == {
        (service, channel) for service in ("streets", "sanitation") for channel in ("social", "phone")
    }
    assert all(r["themes"] == [] and r["text"] in TEXTS for r in records)
    first_per_stratum: dict[tuple[str, str], float] = {}
    for r in records:
        first_per_stratum.setdefault((r["service_id"], r["channel"]), r["uncertainty"])
        assert r["uncertainty"] <= first_per_stratum[(r["service_id"], r["channel"])]


def test_eval_prints_precision_and_recall_with_intervals(
    city: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(city.path), "themes", "eval", "--labels", str(_labels(tmp_path))]) == 0
    out = capsys.readouterr().out
    wait = next(line for line in out.splitlines() if line.strip().startswith("wait_time"))
    assert wait.split()[1] == "8" and "[" in wait
    assert "micro" in out and "32 labelled texts" in out


def test_train_refits_the_model_named_by_the_taxonomy_and_changes_its_version(
    city: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = Taxonomy.load(city.themes_path).version
    labels = _labels(tmp_path)
    assert main(["--config", str(city.path), "themes", "train", "--labels", str(labels)]) == 0
    model_file = city.themes_path.parent / "models" / "themes_model.json"
    first = model_file.read_bytes()
    after = Taxonomy.load(city.themes_path)
    assert after.version != before and after.model is not None
    assert f"model {after.model.version}" in capsys.readouterr().out
    assert set(after.model.themes) == {"wait_time", "resolution_followup"}
    assert main(["--config", str(city.path), "themes", "train", "--labels", str(labels)]) == 0
    assert model_file.read_bytes() == first, "retraining on the same labels writes the same bytes"


def test_a_bad_labels_line_is_a_one_line_error(
    city: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"text": "ok", "themes": []}\n{"text": "x", "themes": ["no_such_theme"]}\n', encoding="utf-8"
    )
    assert main(["--config", str(city.path), "themes", "eval", "--labels", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"civicpulse: error: {bad}:2: unknown theme ids ['no_such_theme']")
    assert "\n" not in err
