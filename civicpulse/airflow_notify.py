"""FailureNotifier: the nightly DAG's `on_failure_callback`, through Airflow's notifier interface.

For every task that fails for good (after its retries) it logs one line, then, if configured, POSTs the
same facts as JSON to a webhook and/or runs a command with them on stdin. Configuration, read when a
task fails (so a change needs no DAG redeploy), from Airflow Variables or their environment form:

- `civicpulse_failure_webhook` (`AIRFLOW_VAR_CIVICPULSE_FAILURE_WEBHOOK`): an http(s) URL.
- `civicpulse_failure_command` (`AIRFLOW_VAR_CIVICPULSE_FAILURE_COMMAND`): a command line, split like a
  shell would but run without one; the JSON arrives on its stdin.

The payload names the DAG, run, task, try and the error's first line, never data from the warehouse. A
notification that cannot be delivered is logged as one warning line; it never hides the task's failure.
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from airflow.sdk import BaseNotifier

log = logging.getLogger("civicpulse.failures")

WEBHOOK_VARIABLE = "civicpulse_failure_webhook"
COMMAND_VARIABLE = "civicpulse_failure_command"
TIMEOUT_SECONDS = 15


def failure_facts(context: Mapping[str, Any]) -> dict[str, Any]:
    """What the notification says about one failed task instance."""
    ti = context["ti"]
    error = context.get("exception")
    first_line = str(error).strip().splitlines()[0] if error is not None and str(error).strip() else ""
    map_index = getattr(ti, "map_index", -1)
    return {
        "dag_id": ti.dag_id,
        "run_id": ti.run_id,
        "task_id": ti.task_id,
        "map_index": map_index if map_index is not None and map_index >= 0 else None,
        "try_number": getattr(ti, "try_number", None),
        "error": first_line[:500],
    }


def failure_line(facts: Mapping[str, Any]) -> str:
    task = facts["task_id"] if facts["map_index"] is None else f"{facts['task_id']}[{facts['map_index']}]"
    error = f": {facts['error']}" if facts["error"] else ""
    return (
        f"civicpulse: task {facts['dag_id']}.{task} failed in run {facts['run_id']} "
        f"(try {facts['try_number']}){error}"
    )


def _variable(key: str) -> str | None:
    from airflow.sdk import Variable

    value = Variable.get(key, default=None)
    if value is None:
        return None
    return str(value).strip() or None


class FailureNotifier(BaseNotifier):
    """Logs one line per failed task; optionally posts it to a webhook and runs a command.

    `webhook`/`command` given here win over the Variables; `setting` looks a Variable up (for tests,
    any callable from key to value).
    """

    template_fields = ("webhook", "command")

    def __init__(
        self,
        webhook: str | None = None,
        command: str | None = None,
        setting: Callable[[str], str | None] = _variable,
    ) -> None:
        super().__init__()
        self.webhook = webhook
        self.command = command
        self._setting = setting

    def notify(self, context: Any) -> None:
        facts = failure_facts(context)
        line = failure_line(facts)
        log.error(line)
        webhook = self.webhook or self._setting(WEBHOOK_VARIABLE)
        command = self.command or self._setting(COMMAND_VARIABLE)
        payload = json.dumps({**facts, "message": line}).encode()
        if webhook:
            try:
                post_json(webhook, payload)
            except (OSError, ValueError) as exc:
                log.warning("civicpulse: failure webhook %s not delivered: %s", webhook, exc)
        if command:
            try:
                run_command(command, payload)
            except (OSError, ValueError, subprocess.SubprocessError) as exc:
                log.warning("civicpulse: failure command %r did not run: %s", command, exc)


def post_json(url: str, payload: bytes) -> None:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{url!r} is not an http(s) URL: set {WEBHOOK_VARIABLE} to https://...")
    request = urllib.request.Request(
        url, data=payload, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()


def run_command(command: str, payload: bytes) -> None:
    result = subprocess.run(
        shlex.split(command), input=payload, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace").strip().splitlines()
        raise ValueError(f"exit {result.returncode}{': ' + stderr[-1] if stderr else ''}")
