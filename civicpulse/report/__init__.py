"""The static HTML CX report (`civicpulse report`, the DAG's last task)."""

from civicpulse.report.build import write_report

__all__ = ["write_report"]
