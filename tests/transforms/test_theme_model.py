"""The committed theme model rebuilds bit-for-bit, predicts in batches, and loads with clear errors."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evaluation.build_theme_model import MODEL_PATH, build
from transforms.theme_model import N_FEATURES, Example, ThemeModel, _murmur3, features, model_version
from transforms.themes import DEFAULT_TAXONOMY_PATH, Taxonomy


def test_retraining_from_the_labels_gives_the_committed_model_byte_for_byte(tmp_path: Path) -> None:
    rebuilt = tmp_path / "themes_model.json"
    build(rebuilt)
    assert rebuilt.read_bytes() == MODEL_PATH.read_bytes()
    model = ThemeModel.load(rebuilt)
    assert model.version == model_version(model.document)


def test_the_taxonomy_loads_the_model_it_names_and_keys_the_cache_with_its_version() -> None:
    taxonomy = Taxonomy.load(DEFAULT_TAXONOMY_PATH)
    assert taxonomy.model is not None
    assert taxonomy.version.endswith(f"-m{taxonomy.model.version}")
    assert {"wait_time", "resolution_followup"} <= set(taxonomy.model.themes)


def test_batch_and_single_predictions_agree() -> None:
    taxonomy = Taxonomy.load(DEFAULT_TAXONOMY_PATH)
    texts = [
        "Reported this pothole three times since March and nobody came. Still not fixed.",
        "Please deliver a recycling cart to my house.",
        "The clerk was rude and kept me on hold for an hour.",
        "",
    ]
    batch = taxonomy.match_many(texts, [None] * len(texts))
    assert batch == [taxonomy.match(text) for text in texts]
    assert {m.theme_id for m in batch[0]} >= {"wait_time", "resolution_followup"}
    assert batch[1] == [] and batch[3] == []


def _taxonomy_naming(tmp_path: Path, model_line: str) -> Path:
    path = tmp_path / "themes.yml"
    path.write_text(
        f"{model_line}\nthemes:\n  wait_time:\n    label: Wait\n"
        "    a11_driver: efficiency\n    include: [on hold]\n",
        encoding="utf-8",
    )
    return path


def test_a_missing_model_file_is_a_one_line_error_naming_the_taxonomy(tmp_path: Path) -> None:
    path = _taxonomy_naming(tmp_path, "model: models/none.json")
    with pytest.raises(ValueError, match=r"themes\.yml: 'model' names .*none\.json, which does not exist"):
        Taxonomy.load(path)


def test_a_corrupt_model_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    path = _taxonomy_naming(tmp_path, "model: bad.json")
    with pytest.raises(ValueError, match=r"bad\.json: cannot read the theme model .*make themes-model"):
        Taxonomy.load(path)


def test_a_decision_floor_bounds_the_threshold_search() -> None:
    from transforms.theme_model import THRESHOLD_FLOOR, Example, train

    waits = [f"waited {n} weeks for the crew and nobody came" for n in range(2, 14)]
    others = [f"pothole number {n} on elm street" for n in range(30)]
    muddled = [f"the crew came after {n} weeks, fine" for n in range(8)]
    examples = [
        *(Example(t, frozenset(), frozenset(), frozenset({"wait_time"})) for t in waits),
        *(Example(t, frozenset(), frozenset(), frozenset()) for t in [*others, *muddled]),
    ]
    default = train(examples, ["wait_time"], "test")
    floored = train(examples, ["wait_time"], "test", {"wait_time": 0.2})
    assert default["themes"]["wait_time"]["threshold"] >= THRESHOLD_FLOOR
    assert floored["themes"]["wait_time"]["threshold"] >= 0.2


def test_the_committed_model_uses_the_chosen_floors() -> None:
    from evaluation.build_theme_model import DECISION_FLOORS
    from transforms.theme_model import THRESHOLD_FLOOR

    model = ThemeModel.load(MODEL_PATH)
    for theme_id in model.themes:
        assert model.threshold(theme_id) >= DECISION_FLOORS.get(theme_id, THRESHOLD_FLOOR)


def hashing_vectorizer_features(examples: Sequence[Example]) -> Any:
    """The features as sklearn's HashingVectorizer computed them when the committed model was
    trained: the reference `features` must equal, entry for entry."""
    from scipy import sparse
    from sklearn.feature_extraction.text import HashingVectorizer

    from transforms.theme_patterns import mask_numbers

    common = {"n_features": N_FEATURES, "alternate_sign": False, "norm": "l2", "lowercase": False}
    words = HashingVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w\w+\b", **common)
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4), **common)
    texts = [mask_numbers(e.text) for e in examples]
    evidence = [
        " ".join(
            [
                *(f"zzrule{t}" for t in sorted(e.rule_themes)),
                *(f"zzpattern{t}" for t in sorted(e.pattern_themes)),
            ]
        )
        for e in examples
    ]
    flags = words.transform(evidence)
    flags.data[:] = 1.0
    return sparse.hstack([words.transform(texts), chars.transform(texts), flags]).tocsr()


def assert_same_matrix(ours: Any, reference: Any) -> None:
    assert ours.shape == reference.shape
    assert ours.indptr.tolist() == reference.indptr.tolist()
    assert ours.indices.tolist() == reference.indices.tolist()
    assert ours.data.tobytes() == reference.data.tobytes()


def test_murmur3_is_sklearns_murmurhash3_32() -> None:
    from sklearn.utils import murmurhash3_32

    random = np.random.default_rng(0)
    keys = [bytes(random.integers(0, 256, size=n, dtype=np.uint8)) for n in range(40) for _ in range(20)]
    keys += ["naïve café 東京".encode(), b"\xff\xff\xff\xff", b""]
    assert _murmur3(keys).tolist() == [murmurhash3_32(key, seed=0) for key in keys]


def test_features_equal_hashing_vectorizer_on_edge_cases() -> None:
    texts = [
        "",
        "a",
        "a b c",
        "i  x\t\tyy zzz\n\nwords  with   spaces ",
        "naïve café ― 東京 ümlaut'd",
        "call 404-555-1234 at 1200 main street, error 404!",
        "the the the the the",
        "supercalifragilisticexpialidocious " * 3,
        "_ __ ___ 1 22 333",
        "every whitespace:" + "x".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "\u3000\u3000end",
    ]
    examples = [
        Example(text, frozenset({"wait_time"} if i % 2 else ()), frozenset({"a", "b"} if i % 3 else ()))
        for i, text in enumerate(texts)
    ]
    assert_same_matrix(features(examples), hashing_vectorizer_features(examples))
