"""PII redaction measured on the held-out half of a generated corpus (evaluation/pii_corpus.py).

A personal-data value counts as redacted only when none of its letters or digits survive: every
alphanumeric token of the value of two or more characters (case-insensitive, whole tokens) occurs
no more often in the redacted text than in the text with the value cut out. So "555-0121" leaks if
"0121" is left, "jsmith @ yahoo . com" leaks if "jsmith" or "yahoo" is left, and a street word
that the rest of the text also uses ("Street") is not counted against it.

Recall per kind with a 95% Wilson interval; the share of clean texts (real text plus a decoy
sentence) that redaction changes at all. Targets on the held-out half: recall >= 0.98 for every
claimed kind, <= 1% of clean texts changed. `run()` raises `TargetsMissed` (make eval exits 1)
when a target is missed.
"""

from __future__ import annotations

import argparse
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from evaluation import TargetsMissed
from evaluation.pii_corpus import KINDS, UNCLAIMED, Text, generate
from transforms.privacy import Redactor

TITLE = "PII redaction (transforms/privacy.py) on the held-out half of evaluation/pii_corpus.py"
RECALL_TARGET = 0.98
CHANGED_TARGET = 0.01
_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> Counter[str]:
    return Counter(t for t in _TOKEN.findall(text.lower()) if len(t) >= 2)


def leaked(text: str, value: str, redacted: str) -> list[str]:
    """The tokens of `value` that survive in `redacted` (see the module docstring)."""
    without = text.replace(value, " ")
    before, after = _tokens(without), _tokens(redacted)
    return sorted(t for t in _tokens(value) if after[t] > before[t])


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class Figures:
    found: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    clean: int = 0
    changed: int = 0
    texts: int = 0
    seconds: float = 0.0
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    altered: list[tuple[str, str]] = field(default_factory=list)

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.total[kind] if self.total[kind] else 1.0

    @property
    def changed_share(self) -> float:
        return self.changed / self.clean if self.clean else 0.0

    def failures(self) -> list[str]:
        out = [
            f"{kind} recall {self.recall(kind):.3f} < {RECALL_TARGET}"
            for kind in KINDS
            if self.total[kind] and self.recall(kind) < RECALL_TARGET
        ]
        if self.changed_share > CHANGED_TARGET:
            out.append(f"clean texts changed {self.changed_share:.3%} > {CHANGED_TARGET:.0%}")
        return out


def measure(texts: Iterable[Text], redactor: Callable[[str], str] | None = None) -> Figures:
    redact = redactor or Redactor()
    figures = Figures()
    for t in texts:
        started = time.perf_counter()
        redacted = redact(t.text)
        figures.seconds += time.perf_counter() - started
        figures.texts += 1
        if t.clean:
            figures.clean += 1
            if redacted != t.text:
                figures.changed += 1
                figures.altered.append((t.text, redacted))
            continue
        for item in t.items:
            figures.total[item.kind] += 1
            if leaked(t.text, item.value, redacted):
                figures.missed.append((item.kind, item.value, redacted))
            else:
                figures.found[item.kind] += 1
    return figures


def table(figures: Figures, half: str) -> str:
    lines = [
        f"{half} half: {figures.texts} texts, {sum(figures.total.values())} personal-data items, "
        f"{figures.clean} clean texts; {figures.texts / figures.seconds:,.0f} texts/s",
        f"{'kind':<16} {'n':>5} {'recall':>7}  95% Wilson      target",
    ]
    for kind in (*KINDS, *UNCLAIMED):
        n, hits = figures.total[kind], figures.found[kind]
        if not n:
            continue
        low, high = wilson(hits, n)
        target = "not claimed" if kind in UNCLAIMED else ("ok" if hits / n >= RECALL_TARGET else "BELOW")
        lines.append(f"{kind:<16} {n:>5} {hits / n:>7.3f}  [{low:.3f}, {high:.3f}]  {target}")
    low, high = wilson(figures.changed, figures.clean)
    verdict = "ok" if figures.changed_share <= CHANGED_TARGET else "ABOVE"
    lines.append(
        f"{'clean changed':<16} {figures.clean:>5} {figures.changed_share:>7.3f}  [{low:.3f}, {high:.3f}]  "
        f"<= {CHANGED_TARGET:.2f} {verdict}"
    )
    return "\n".join(lines)


def run(half: str = "heldout") -> str:
    figures = measure(t for t in generate() if t.split == half)
    text = table(figures, half)
    failures = figures.failures()
    if failures:
        examples = [f"  missed {k}: {v!r} in {r[:160]!r}" for k, v, r in figures.missed[:5]]
        raise TargetsMissed(text + "\n" + "\n".join(examples), failures)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m evaluation.privacy --misses`: the development table and every development miss and
    changed clean text, for tuning. The held-out half prints its table only: its misses stay unseen."""
    parser = argparse.ArgumentParser(description="PII redaction on one half of evaluation/pii_corpus.py")
    parser.add_argument("--half", choices=("development", "heldout"), default="development")
    parser.add_argument("--misses", action="store_true", help="list every miss (development half only)")
    parser.add_argument("--kind", action="append", help="list misses of this kind only (repeatable)")
    args = parser.parse_args(argv)
    if args.misses and args.half != "development":
        parser.error("--misses lists the development half only: held-out misses must not be looked at")
    figures = measure(t for t in generate() if t.split == args.half)
    print(table(figures, args.half))
    if args.misses:
        for kind, value, redacted in figures.missed:
            if not args.kind or kind in args.kind:
                print(f"missed {kind}: {value!r} in {redacted!r}")
        for text, redacted in figures.altered:
            print(f"changed clean text: {text!r}\n                 -> {redacted!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
