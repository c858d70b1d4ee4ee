"""Which per-book lookup failures are worth retrying the whole batch for.

``EnrichedBook.error`` is the text of each failed source's error, joined by "; ", in the core's
documented format (docs/enrichment.md, "Retry policy"): ``SOURCE: MESSAGE[ (gave up after N
attempts)][ (URL)]``. The retryable kinds (429 throttles, 5xx, timeouts, dropped connections,
malformed answers) are the ones the core retries itself and marks "gave up after N attempts" when
they persist; a daily quota, a source switched off for the run, a 4xx or an oversized answer are
not retryable and never trigger a batch retry.
"""

from __future__ import annotations

import re

_TRANSIENT = re.compile(
    r"\(gave up after \d+ attempts\)"
    r"|: HTTP 429 Too Many Requests"
    r"|: HTTP 5\d\d\b"
    r"|: timed out after "
    r"|: connection failed: "
    r"|with a body that is not the expected JSON"
)
_PERMANENT = re.compile(r"daily quota exhausted|disabled for the rest of the run")


def is_transient(error: str | None) -> bool:
    """Whether a book's ``error`` says some source failed in a way a later retry may fix."""
    if not error:
        return False
    return any(_TRANSIENT.search(part) and not _PERMANENT.search(part) for part in error.split("; "))


def is_throttle(error: str | None) -> bool:
    """Whether a book's ``error`` includes a 429 throttle (reported separately in the summary)."""
    return bool(error) and "HTTP 429 Too Many Requests" in (error or "")
