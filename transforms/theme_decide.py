"""How a text's themes are decided from the phrase rules, the structural patterns and the model.

For each text (cleaned and lower-cased by `transforms.themes`):

1. phrase matches of `config/themes.yml`, minus those that `theme_patterns.suppress` finds in another
   domain (traffic waits, road "navigation", a "404" in a phone number), plus the shapes precise
   enough to count like a phrase (`theme_patterns.direct_themes`: staff near a word for their manner);
2. structural patterns (`theme_patterns.pattern_themes`: durations, "still not", repeats, no response),
   minus a duration in a text about a private party's problem that never says the city was asked;
3. with a model (`theme_model`): a modelled theme is kept when its calibrated probability reaches
   the theme's threshold (phrases and patterns count through the model, which learned how often each
   means the theme; a model file from before stacking also keeps every phrase match, and a theme
   marked `evidence_or` in the file keeps every phrase or pattern match); a theme the model does not
   cover keeps phrase OR pattern. Without a model, phrase OR pattern for every theme.

Model-only themes carry the matched term "model p=0.83" so a reader can see why they were tagged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from transforms.theme_model import Example, ThemeModel
from transforms.theme_patterns import PATTERNS_REVISION, direct_themes, pattern_themes, suppress

__all__ = ["decide", "examples", "load_model", "theme_decide_version"]


def load_model(taxonomy_path: Path, value: object) -> ThemeModel | None:
    """The model named by the taxonomy's `model:` key (a path relative to the taxonomy file), if any."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{taxonomy_path}: 'model' must be a path to a theme model file (JSON)")
    model_path = Path(value) if Path(value).is_absolute() else taxonomy_path.resolve().parent / value
    if not model_path.is_file():
        raise ValueError(
            f"{taxonomy_path}: 'model' names {model_path}, which does not exist; build it with "
            "`make themes-model` or `civicpulse themes train`, or remove the 'model' line"
        )
    return ThemeModel.load(model_path)


def theme_decide_version(taxonomy_hash: str, model: ThemeModel | None) -> str:
    """The theme cache key: taxonomy file, pattern and decision revisions, model version."""
    return f"{taxonomy_hash}-p{PATTERNS_REVISION}.{DECIDE_REVISION}" + (f"-m{model.version}" if model else "")


# A problem of a private party (an owner, a neighbour, a vacant house) that nobody says was reported:
# its age is not a wait the city owes (guide, rule 5), so a duration there is not wait_time evidence.
_PRIVATE = re.compile(
    r"\b(?:owners?|landlords?|tenants?|neighbou?rs?|hoa|homeowners?|businesses|business|vacant|abandoned|"
    r"unoccupied|foreclosed|squatters?)\b"
)
_ASKED = re.compile(
    r"\b(?:report\w*|call(?:ed|ing)|request\w*|complain\w*|emailed|told|promised|311|cited)\b"
)
DECIDE_REVISION = "2"


def _owed_patterns(text: str, found: dict[str, list[str]]) -> dict[str, list[str]]:
    if "wait_time" in found and _PRIVATE.search(text) and not _ASKED.search(text):
        return {theme_id: terms for theme_id, terms in found.items() if theme_id != "wait_time"}
    return found


def _evidence(
    texts: Sequence[str], rule_terms: Sequence[Mapping[str, tuple[str, ...]]]
) -> tuple[list[dict[str, tuple[str, ...]]], list[dict[str, list[str]]]]:
    rules: list[dict[str, tuple[str, ...]]] = []
    patterns: list[dict[str, list[str]]] = []
    for text, terms_by_theme in zip(texts, rule_terms, strict=True):
        kept = {t: suppress(t, terms, text) for t, terms in terms_by_theme.items()}
        for theme_id, terms in direct_themes(text).items():
            kept[theme_id] = tuple(dict.fromkeys([*kept.get(theme_id, ()), *terms]))
        rules.append({t: terms for t, terms in kept.items() if terms})
        patterns.append(_owed_patterns(text, pattern_themes(text)))
    return rules, patterns


def examples(
    texts: Sequence[str],
    rule_terms: Sequence[Mapping[str, tuple[str, ...]]],
    patterns: Sequence[Mapping[str, list[str]]] | None = None,
    themes: Sequence[frozenset[str]] | None = None,
) -> list[Example]:
    """Model inputs for cleaned texts (with their labelled themes when training)."""
    if patterns is None:
        rule_terms, patterns = _evidence(texts, rule_terms)
    labels = themes if themes is not None else [frozenset()] * len(texts)
    return [
        Example(text, frozenset(rule), frozenset(pattern), label)
        for text, rule, pattern, label in zip(texts, rule_terms, patterns, labels, strict=True)
    ]


def decide(
    texts: Sequence[str], rule_terms: Sequence[Mapping[str, tuple[str, ...]]], model: ThemeModel | None
) -> list[dict[str, tuple[str, ...]]]:
    """Theme id -> matched terms for each cleaned text, given its phrase matches."""
    rules, patterns = _evidence(texts, rule_terms)
    modelled = set(model.themes) if model else set()
    probabilities = model.predict(examples(texts, rules, patterns)) if model else {}
    decided = []
    for index, (rule, pattern) in enumerate(zip(rules, patterns, strict=True)):
        found: dict[str, tuple[str, ...]] = {}
        if not texts[index]:
            decided.append(found)
            continue
        for theme_id in dict.fromkeys([*rule, *pattern, *modelled]):
            evidence = (*rule.get(theme_id, ()), *pattern.get(theme_id, ()))
            if theme_id in modelled:
                assert model is not None
                probability = float(probabilities[theme_id][index])
                phrase = (theme_id in rule and not model.stacked) or (
                    model.keeps_evidence(theme_id) and bool(evidence)
                )
                if phrase or probability >= model.threshold(theme_id):
                    found[theme_id] = tuple(dict.fromkeys(evidence)) or (f"model p={probability:.2f}",)
            elif evidence:
                found[theme_id] = tuple(dict.fromkeys(evidence))
        decided.append(found)
    return decided
