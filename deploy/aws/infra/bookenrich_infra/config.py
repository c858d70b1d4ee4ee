"""Deployment settings (CDK context values) and how concurrency is sized from the catalogues' limits.

The catalogues limit each *client* (Open Library counts per User-Agent, which carries the one
contact of the deployment; Google per API project), not each Lambda. With at most ``N`` processors
running (the Distributed Map's MaxConcurrency, and the processor's reserved concurrency so that
several jobs at once cannot exceed it either), each processor gets ``L / N`` requests per second of a
catalogue whose limit is ``L``; the whole deployment then never sends more than ``L``. Unless set,
``N`` is as many processors as the tightest enabled catalogue can give one request per second each:
``N = max(1, floor(min_s L_s / 1))``. See docs/aws.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

#: The catalogues' published per-client limits, requests per second (docs/enrichment.md).
PUBLISHED_RATE_LIMITS: dict[str, float] = {"openlibrary": 3.0, "google": 1.0}
#: Open Library allows 3/s only to clients whose User-Agent names a contact; 1/s otherwise.
OPEN_LIBRARY_WITHOUT_CONTACT = 1.0
#: The least rate, requests/s per catalogue, worth giving one processor when sizing N by default.
PROCESSOR_MIN_RATE = 1.0
_SOURCE_ALIASES = {
    "openlibrary": "openlibrary",
    "open_library": "openlibrary",
    "ol": "openlibrary",
    "google": "google",
    "google_books": "google",
    "googlebooks": "google",
    "gb": "google",
}
#: Catalogue requests per book, measured against the fake catalogue on a 1,000-book export without
#: any cache (docs/aws.md, "Limits and costs"): the planned throughput before a job has measured its own.
REQUESTS_PER_BOOK: dict[str, float] = {"openlibrary": 0.09, "google": 2.0}
#: Map item size and the processor's timeout are sized together: 25 books need about 50 Google
#: requests, 50 s at Google's 1/s (more when processors share it); the timeout leaves room for the
#: core's own retries and Retry-After waits.
DEFAULT_BATCH_SIZE = 25
DEFAULT_PROCESSOR_TIMEOUT_SECONDS = 600

HERE = Path(__file__).resolve().parent
DEPLOY_DIR = HERE.parent.parent
FUNCTIONS_DIR = DEPLOY_DIR / "functions"
#: Lambda architectures the layer can be built for (build_layer.py tells which a wheel is).
ARCHITECTURES = ("arm64", "x86_64")
#: Where ``cdk deploy`` takes the layer's wheel from when neither layerDir nor layerWheel is given.
LAYER_SOURCES = ("checkout", "pypi")
_PATHS = ("layer_dir", "layer_wheel")


def enabled_sources(sources: str | None) -> list[str]:
    """The catalogues a ``BOOKENRICH_SOURCES`` value switches on (both when unset), by limit key."""
    if not sources:
        return ["openlibrary", "google"]
    out = []
    for name in sources.split(","):
        key = name.strip().lower().replace("-", "_").replace(" ", "")
        if key not in _SOURCE_ALIASES:
            raise ValueError(f"sources: unknown catalogue {name.strip()!r} (known: openlibrary, google)")
        out.append(_SOURCE_ALIASES[key])
    return out


def effective_limit(source: str, limit: float, contact: str | None) -> float:
    """A catalogue's per-client limit; Open Library allows only 1/s without a contact."""
    if source == "openlibrary" and not contact:
        return min(limit, OPEN_LIBRARY_WITHOUT_CONTACT)
    return limit


def default_max_concurrency(catalogue_limits: Mapping[str, float], sources: str | None, *, contact: str | None) -> int:
    """N when not configured: one request per second of the tightest enabled catalogue per processor."""
    limits = [
        effective_limit(s, catalogue_limits[s], contact) for s in enabled_sources(sources) if s in catalogue_limits
    ]
    if not limits:
        return 1
    return max(1, int(min(limits) // PROCESSOR_MIN_RATE))


def child_rate_limits(
    catalogue_limits: Mapping[str, float], max_concurrency: int, *, contact: str | None
) -> dict[str, float]:
    """Each processor's rate per catalogue: the catalogue's per-client limit over ``max_concurrency``.

    Without a contact, Open Library's limit is 1/s whatever was configured.
    """
    if max_concurrency < 1:
        raise ValueError(f"maxConcurrency must be at least 1, got {max_concurrency}")
    out: dict[str, float] = {}
    for source, limit in catalogue_limits.items():
        if not limit > 0:
            raise ValueError(f"catalogue rate limit for {source} must be positive, got {limit}")
        out[source] = effective_limit(source, limit, contact) / max_concurrency
    return out


def rate_limits_env(rates: Mapping[str, float]) -> str:
    """``BOOKENRICH_RATE_LIMITS`` syntax: ``openlibrary=1,google=0.333333``."""
    return ",".join(f"{source}={rate:.6g}" for source, rate in rates.items())


def _parse_rates(value: Any) -> dict[str, float]:
    if isinstance(value, Mapping):
        return {str(k): float(v) for k, v in value.items()}
    out: dict[str, float] = {}
    for item in str(value).split(","):
        if not item.strip():
            continue
        source, sep, rate = item.partition("=")
        if not sep:
            raise ValueError(f"catalogueRateLimits: {item!r} is not SOURCE=N")
        out[source.strip()] = float(rate)
    return out


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{value!r} is not a boolean")


@dataclass(frozen=True)
class DeploymentConfig:
    """Everything a deployment can change; each field is a CDK context key of the same camelCase name."""

    #: A layer directory made beforehand (``build_layer.py``): its ``python/`` holds the wheel,
    #: unpacked. None: the synth builds the layer itself (``layer_wheel``, ``layer_from``).
    layer_dir: Path | None = None
    #: A wheel built beforehand, unpacked into the layer at synth time (no build tool needed).
    layer_wheel: Path | None = None
    #: Without ``layer_dir`` or ``layer_wheel``: ``checkout`` (maturin and zig build this checkout's
    #: wheel) or ``pypi`` (the released wheel from the package index).
    layer_from: str = "checkout"
    #: With ``layer_from="pypi"``: the version to download (None: the checkout's).
    layer_version: str | None = None
    #: The functions' Lambda architecture: ``arm64`` (Graviton: about 20% cheaper per GB-second)
    #: or ``x86_64``. The layer must hold the wheel of the same architecture.
    architecture: str = "arm64"
    #: Distributed Map MaxConcurrency = processors running at once (and their reserved concurrency);
    #: None sizes it from the catalogue limits (``default_max_concurrency``).
    max_concurrency: int | None = None
    #: Per-client limits of the catalogues, requests/s, shared by all processors.
    catalogue_rate_limits: dict[str, float] = field(default_factory=lambda: dict(PUBLISHED_RATE_LIMITS))
    #: Requests in flight inside one processor (``BOOKENRICH_CONCURRENCY``).
    processor_request_concurrency: int = 4
    #: ``BOOKENRICH_CONTACT``: an e-mail or URL for the User-Agent (Open Library's 3/s needs one).
    contact: str | None = None
    #: ``BOOKENRICH_SOURCES`` (default: both catalogues).
    sources: str | None = None
    #: ``BOOKENRICH_MERGE_POLICY``: ``union`` (default) or ``first_with_genres`` (Google only for the
    #: books Open Library has no genres for: far fewer Google requests).
    merge_policy: str | None = None
    #: Catalogue base URLs (a mirror; the tests' fake server).
    open_library_url: str | None = None
    google_books_url: str | None = None
    #: Name or ARN of a Secrets Manager secret holding the Google Books API key (plain string).
    google_api_key_secret: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    #: Distributed Map ToleratedFailurePercentage (children never fail by design; see docs/aws.md).
    tolerated_failure_percentage: int = 100
    include_unread: bool = False
    include_private_notes: bool = False
    processor_timeout_seconds: int = DEFAULT_PROCESSOR_TIMEOUT_SECONDS
    #: The whole job's time limit; a job still running then is marked ``error``.
    execution_timeout_minutes: int = 120
    reserve_processor_concurrency: bool = True
    log_retention_days: int = 30
    #: Days before a job's objects expire (0 = keep until DELETE /data/{uuid}).
    expire_jobs_after_days: int = 0
    #: CORS origins allowed to call the API.
    cors_origins: tuple[str, ...] = ("*",)
    max_upload_bytes: int = 4 * 1024 * 1024
    #: An e-mail address subscribed to the alarms' SNS topic (none: the topic has no subscriber).
    alarm_email: str | None = None
    #: The processors' catalogue gateway: the shared lookup cache and the shared budgets (docs/aws.md).
    catalogue_gateway: bool = True
    #: Requests per UTC day the whole deployment may send each catalogue with a daily quota (Google's
    #: default quota is 1,000 per project; a margin stays for retries the budget cannot foresee).
    daily_budgets: dict[str, float] = field(default_factory=lambda: {"google": 950.0})
    #: The share of a daily budget one job may use, so the rest stays for other readers.
    job_daily_share: float = 0.25
    #: Books one upload may ask to enrich (more is a 400).
    max_books_per_job: int = 5000
    #: Jobs in flight per client (source IP); one more upload is a 429.
    max_jobs_per_client: int = 2

    def __post_init__(self) -> None:
        if self.max_concurrency is not None and self.max_concurrency < 1:
            raise ValueError("maxConcurrency must be at least 1")
        enabled_sources(self.sources)
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}, got {self.architecture!r}")
        if self.layer_from not in LAYER_SOURCES:
            raise ValueError(f"layerFrom must be one of {', '.join(LAYER_SOURCES)}, got {self.layer_from!r}")
        if self.layer_dir is not None and self.layer_wheel is not None:
            raise ValueError("layerDir and layerWheel are two ways to give the layer: pass one of them")
        if self.batch_size < 1:
            raise ValueError("batchSize must be at least 1")
        if not 0 < self.job_daily_share <= 1:
            raise ValueError("jobDailyShare must be in (0, 1]")
        if self.max_books_per_job < 1 or self.max_jobs_per_client < 1:
            raise ValueError("maxBooksPerJob and maxJobsPerClient must be at least 1")
        if not 0 <= self.tolerated_failure_percentage <= 100:
            raise ValueError("toleratedFailurePercentage must be between 0 and 100")
        child_rate_limits(self.catalogue_rate_limits, self.concurrency, contact=self.contact)

    @property
    def concurrency(self) -> int:
        """N: the configured ``max_concurrency``, else the one the catalogue limits give."""
        if self.max_concurrency is not None:
            return self.max_concurrency
        return default_max_concurrency(self.catalogue_rate_limits, self.sources, contact=self.contact)

    @property
    def child_rate_limits(self) -> dict[str, float]:
        """Each processor's share of the limits of the enabled catalogues."""
        enabled = set(enabled_sources(self.sources))
        limits = {s: rate for s, rate in self.catalogue_rate_limits.items() if s in enabled}
        return child_rate_limits(limits, self.concurrency, contact=self.contact)

    @property
    def published_limits(self) -> dict[str, float]:
        """The per-second limits of the enabled catalogues for the whole deployment (the shared budgets)."""
        enabled = set(enabled_sources(self.sources))
        return {
            s: effective_limit(s, rate, self.contact) for s, rate in self.catalogue_rate_limits.items() if s in enabled
        }

    @property
    def seconds_per_book(self) -> float:
        """Planned seconds per book for the whole deployment: the slowest enabled catalogue's requests
        per book over its shared limit."""
        per_source = [
            REQUESTS_PER_BOOK[s] / effective_limit(s, self.catalogue_rate_limits[s], self.contact)
            for s in enabled_sources(self.sources)
            if s in self.catalogue_rate_limits and s in REQUESTS_PER_BOOK
        ]
        return max(per_source, default=REQUESTS_PER_BOOK["openlibrary"])

    @classmethod
    def from_context(cls, get: Any) -> DeploymentConfig:
        """Reads each field from ``get(camelCaseName)`` (e.g. ``app.node.try_get_context``)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            camel = "".join(w if i == 0 else w.capitalize() for i, w in enumerate(f.name.split("_")))
            raw = get(camel)
            if raw is None or raw == "":
                continue
            default = getattr(cls(), f.name)
            if f.name in _PATHS:
                values[f.name] = Path(str(raw)).resolve()
            elif f.name in ("catalogue_rate_limits", "daily_budgets"):
                values[f.name] = _parse_rates(raw)
            elif f.name == "cors_origins":
                values[f.name] = tuple(raw) if isinstance(raw, list) else tuple(str(raw).split(","))
            elif isinstance(default, bool):
                values[f.name] = _bool(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            elif isinstance(default, int) or f.name == "max_concurrency":
                values[f.name] = int(raw)
            else:
                values[f.name] = str(raw)
        return cls(**values)
