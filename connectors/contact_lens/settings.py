"""Amazon Connect Contact Lens post-call analysis output files (one JSON file per contact)."""

from __future__ import annotations

import re

FILE_PATTERNS = ("*.json",)
EXPECTED_FILE = (
    "one Contact Lens analysis output file, unchanged, as written to the instance's bucket under "
    "Analysis/Voice/ (e.g. <contact id>_analysis_redacted_2024-05-06T14:03:11Z.json)"
)
STREAM = "contact_call"
COMPLETED = "COMPLETED"
CUSTOMER_ROLE = "CUSTOMER"
# The recording's key ends <contact id>_<YYYYMMDDThh:mm>_UTC.wav; the analysis file's name carries the
# analysis time, which is after the call: the call started its conversation duration before it.
RECORDING_TIME = re.compile(r"_(\d{8}T\d{2}:\d{2})_UTC\.[A-Za-z0-9]+$")
RECORDING_LAYOUT = "%Y%m%dT%H:%M"
ANALYSIS_TIME = re.compile(r"_analysis_(?:redacted_)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")
# Contact Lens has no queue; a file enriched with the contact's queue (as Amazon Connect's contact
# records name it) uses it, any other falls back to the channel.
QUEUE_KEYS = ("Queue", "QueueName")
FALLBACK_QUEUE = "contact_lens_{channel}"
