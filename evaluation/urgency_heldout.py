"""Urgency flags on held-out SeeClickFix reports: how many flagged reports a person would call urgent.

The held-out reports that `transforms.urgency.urgency_reasons` flags, mixed with as many unflagged
held-out reports drawn at random, were judged urgent or not by the guide in docs/themes.md, in shuffled
order and without seeing the flags (`urgent` in data/seeclickfix_labels.jsonl). Precision is measured
on the flagged ones; the unflagged sample estimates how many urgent reports the rules miss.
"""

from __future__ import annotations

from collections import Counter

from evaluation import labels
from evaluation.split import committed_heldout
from evaluation.stats import wilson
from transforms.urgency import urgency_reasons

TITLE = "Urgency: precision of the urgency flags on held-out SeeClickFix reports"


def _share(k: int, n: int) -> str:
    interval = wilson(k, n)
    if interval is None:
        return f"{k}/{n}"
    return f"{k}/{n} = {k / n:.2f} [{interval[0]:.2f}-{interval[1]:.2f}]"


def run() -> str:
    heldout = committed_heldout()["seeclickfix"]
    judged = [r for r in labels.load() if r.source_id in heldout and r.urgent is not None]
    flagged = [(r, urgency_reasons(r.text)) for r in judged]
    with_flag = [(r, reasons) for r, reasons in flagged if reasons]
    without = [r for r, reasons in flagged if not reasons]
    all_flagged = sum(1 for r in labels.load() if r.source_id in heldout and urgency_reasons(r.text))
    lines = [
        f"  held-out reports flagged urgent: {all_flagged} of {len(heldout)}; judged: "
        f"{len(with_flag)} flagged, {len(without)} unflagged (random sample of the same size)",
        f"  precision of the flags (judged urgent among flagged): "
        f"{_share(sum(1 for r, _ in with_flag if r.urgent), len(with_flag))}",
        "  urgent among the unflagged sample (misses): "
        f"{_share(sum(1 for r in without if r.urgent), len(without))}",
        "  per reason (a report can have several):",
    ]
    per_reason: Counter[str] = Counter()
    per_reason_urgent: Counter[str] = Counter()
    for r, reasons in with_flag:
        for reason in reasons:
            per_reason[reason] += 1
            per_reason_urgent[reason] += int(bool(r.urgent))
    for reason, n in per_reason.most_common():
        lines.append(f"    {reason:<15} {_share(per_reason_urgent[reason], n)}")
    lines.append(
        "  (Wilson 95% intervals; urgent = an acute hazard or threat needing a crew soon, docs/themes.md)"
    )
    return "\n".join(lines)
