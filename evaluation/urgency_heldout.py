"""Urgency flags on held-out SeeClickFix reports: how many flagged reports a person would call urgent.

Every held-out report a revision of `transforms.urgency` flagged was judged urgent or not by the guide
in docs/themes.md, mixed with as many unflagged held-out reports drawn at random, in shuffled order and
without seeing the flags (`urgent` and `urgent_basis` in data/seeclickfix_labels.jsonl; the rules are
committed before a round is judged). Precision is over every report the current rules flag (all are
judged; a flagged report that is not judged fails the evaluation). Urgent reports the rules miss are
estimated by stratum: the unflagged reports an earlier revision flagged were all judged (counted as
they are), the others from the random draws (their rate times their number).
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


def _misses(unflagged: list[labels.LabelledReport]) -> str:
    """Estimated urgent reports among the unflagged: the census stratum plus the sampled one."""
    census = [r for r in unflagged if r.urgent_basis == "flagged"]
    drawn = [r for r in unflagged if r.urgent_basis == "random"]
    rest = len(unflagged) - len(census)
    drawn_urgent = sum(1 for r in drawn if r.urgent)
    estimate = sum(1 for r in census if r.urgent) + (drawn_urgent / len(drawn) * rest if drawn else 0.0)
    return (
        f"{estimate:.0f} of {len(unflagged)} = {estimate / max(len(unflagged), 1):.2f} "
        f"(all {len(census)} unflagged that earlier rules flagged, judged: "
        f"{sum(1 for r in census if r.urgent)} urgent; random draw of the other {rest}: "
        f"{_share(drawn_urgent, len(drawn))})"
    )


def run() -> str:
    heldout = committed_heldout()["seeclickfix"]
    reports = [(r, urgency_reasons(r.text)) for r in labels.load() if r.source_id in heldout]
    with_flag = [(r, reasons) for r, reasons in reports if reasons]
    unjudged = [r.source_id for r, _ in with_flag if r.urgent is None]
    if unjudged:
        raise AssertionError(
            f"{len(unjudged)} flagged held-out reports are not judged (e.g. {unjudged[:3]}): judge them "
            "and as many random unflagged ones by the guide in docs/themes.md, blind to the flags"
        )
    judged_urgent = sum(1 for r, _ in with_flag if r.urgent)
    unflagged = [r for r, reasons in reports if not reasons]
    lines = [
        f"  held-out reports flagged urgent: {len(with_flag)} of {len(heldout)}, all judged",
        f"  precision of the flags (judged urgent): {_share(judged_urgent, len(with_flag))}",
        f"  urgent among the unflagged (estimated misses): {_misses(unflagged)}",
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
