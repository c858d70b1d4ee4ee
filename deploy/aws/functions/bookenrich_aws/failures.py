"""Which per-book lookup failures are worth retrying the whole batch for.

Each ``EnrichedBook`` lists the sources that failed for it in ``failures``, with the core's kind
of failure and whether a later retry may help (``SourceFailure.retryable``): throttles (429), 5xx,
timeouts, dropped connections and malformed answers are; a used-up daily quota, a source switched
off for the run, a 4xx, an oversized answer or an offline miss are not, and never trigger a batch
retry. The core already retries each request itself (bounded, with backoff); a batch retry is for
what is still failing after that.
"""

from __future__ import annotations

import bookenrich


def is_transient(result: bookenrich.EnrichedBook) -> bool:
    """Whether some source failed for this book in a way a later retry may fix."""
    return result.is_retryable


def is_throttle(result: bookenrich.EnrichedBook) -> bool:
    """Whether some source throttled this book (429s are reported separately in the summary)."""
    return any(f.kind == "rate_limited" for f in result.failures)
