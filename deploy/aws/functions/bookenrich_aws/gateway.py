"""The processor's catalogue gateway: the shared lookup cache and the shared budgets, in front of the core.

The core sends every catalogue request to this gateway (``http://127.0.0.1:<port>/openlibrary/...``
and ``/google/...``, set as its base URLs). For each request the gateway

1. answers from the answers pre-loaded for the batch (:meth:`Gateway.preload`, batched reads), else
   from the shared cache (one read), and
2. only on a miss takes the request's tokens of the shared budgets and forwards it to the catalogue,
   with the core's own headers (User-Agent with the contact, Google's key header), and keeps a 200
   or 404 answer for :meth:`Gateway.write_back`.

Open Library answers many identifiers in one request: its search by identifier
(``search.json?q=isbn:(A OR B …)``, ``q=id_goodreads:(…)``, the core's default) and its Books API
(``/api/books?bibkeys=ISBN:a,ISBN:b``). The gateway splits such a request by identifier: ids it has
answers for are answered from them, only the others are asked for (in one request), and each id's
part (the work docs that list it, or the Books API entry) is cached on its own, so any batch of
any job can use it.

When a daily budget (or the job's share of it) is spent, the gateway answers as Google does when
its daily quota is used up (HTTP 429 ``rateLimitExceeded``, ``Queries per day``): the core then
stops asking that catalogue for the rest of the batch and records ``quota_exhausted`` on the books,
and the job finishes with Open Library alone. When no per-second token comes in time it answers a
plain 429 with ``Retry-After``, which the core retries.

Why a gateway in Python rather than a cache inside the core: see docs/aws.md ("Shared lookup cache").
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bookenrich_aws.budgets import Budgets, Busy, DailyBudgetSpent
from bookenrich_aws.lookup_cache import Answer, LookupCache

log = logging.getLogger(__name__)

#: Google's answer to a request over the project's daily quota (recorded: the core's fetch tests and
#: tests/fixtures/catalogue, "quota exceeded"), which makes the core stop the source for the run.
DAILY_QUOTA_BODY = json.dumps(
    {
        "error": {
            "code": 429,
            "message": "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service "
            "'books.googleapis.com' (the deployment's shared daily budget)",
            "errors": [{"domain": "global", "reason": "rateLimitExceeded"}],
        }
    }
).encode()
#: Headers of the core's request that the catalogue needs (the rest is hop-by-hop or irrelevant).
FORWARDED_HEADERS = ("user-agent", "accept", "x-goog-api-key")
UPSTREAM_TIMEOUT = 30.0
BOOKS_API = "/api/books"
SEARCH = "/search.json"
#: Pages of one identifier query read at most, as the core does (an id rarely matches two works).
MAX_SEARCH_PAGES = 3
#: ``FIELD:(A OR B …)``, the identifier query of the core's bulk plan (recorded real answer:
#: bookenrich-core/tests/data/openlibrary_search_isbn_or_batch_26.json).
_ID_QUERY = re.compile(r"(isbn|id_goodreads):\(([0-9A-Za-z]+(?: OR [0-9A-Za-z]+)*)\)")


@dataclass
class Upstream:
    """One catalogue behind the gateway."""

    source: str
    base_url: str


@dataclass
class GatewayStats:
    """Per batch: what was answered from where (the processor logs it; the tests read it)."""

    from_preload: int = 0
    from_cache: int = 0
    forwarded: int = 0
    budget_spent: int = 0
    busy: int = 0
    per_source: dict[str, int] = field(default_factory=dict)


def cache_key(source: str, path_and_query: str) -> str:
    """The shared cache's key of a request (path and query; secrets never travel in the URL).

    Google's ``fields`` partial-response mask is left out: the core sends every request of a kind
    with one mask, so the key stays predictable (``processor.preload_keys``) without writing the
    mask a second time here. A core with another mask reads answers cut to the old one until
    their TTL ends."""
    if source == "google":
        path, _, query = path_and_query.partition("?")
        kept = [p for p in query.split("&") if p and not p.startswith("fields=")]
        path_and_query = path + ("?" + "&".join(kept) if kept else "")
    return f"{source}|{path_and_query}"


def isbn_key(isbn: str) -> str:
    """The shared cache's key of one ISBN's part of an Open Library Books API answer."""
    return f"openlibrary|isbn:{isbn}"


def search_key(field: str, identifier: str) -> str:
    """The shared cache's key of the work docs Open Library's search answers for one identifier
    (``field`` ``isbn`` or ``id_goodreads``)."""
    return f"openlibrary|search:{field}:{identifier}"


def _id_query(query: str) -> tuple[str, list[str], str] | None:
    """(field, identifiers, fields) of a first-page identifier search, else None."""
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    if set(params) - {"q", "fields", "limit", "offset"} or params.get("offset", ["0"]) != ["0"]:
        return None
    q, fields = params.get("q", []), params.get("fields", [])
    if len(q) != 1 or len(fields) != 1:
        return None
    match = _ID_QUERY.fullmatch(q[0].strip())
    if match is None:
        return None
    return match.group(1), list(dict.fromkeys(match.group(2).split(" OR "))), fields[0]


def _doc_ids(doc: dict[str, Any], field: str) -> set[str]:
    """The identifiers a work doc answers for, as the core matches them back: the matched
    edition's ISBNs (else the work's), or the work's Goodreads ids."""
    if field == "isbn":
        editions = (doc.get("editions") or {}).get("docs") if isinstance(doc.get("editions"), dict) else None
        listed = [i for e in editions or [] if isinstance(e, dict) for i in e.get("isbn") or []]
        listed = listed or doc.get("isbn") or []
    else:
        listed = doc.get("id_goodreads") or []
    return {i.strip() for i in listed if isinstance(i, str)}


def _bibkeys(query: str) -> list[str] | None:
    """The ISBNs of a Books API query (``bibkeys=ISBN:a,ISBN:b&format=json&jscmd=data``), else None."""
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    if params.get("format") != ["json"] or params.get("jscmd") != ["data"] or len(params.get("bibkeys", [])) != 1:
        return None
    keys = params["bibkeys"][0].split(",")
    if not all(k.startswith("ISBN:") and len(k) > 5 for k in keys):
        return None
    return [k[5:] for k in keys]


class Session:
    """One batch's view of the gateway: its pre-loaded and learned answers, its job, its statistics.

    A Lambda container runs one batch at a time; sessions keep batches apart anyway (the tests run
    many in one process), each under its own URL prefix.
    """

    def __init__(self, gateway: Gateway, token: str, job_id: str | None) -> None:
        self.gateway = gateway
        self.token = token
        self.job_id = job_id
        self.known: dict[str, Answer] = {}
        self.learned: dict[str, Answer] = {}
        self.stats = GatewayStats()
        self.lock = threading.Lock()

    def url(self, source: str) -> str:
        """The base URL the core uses for ``source`` in this batch."""
        return f"http://127.0.0.1:{self.gateway.port}/{self.token}/{source}"

    def preload(self, keys: Iterable[str]) -> int:
        """Reads ``keys`` from the shared cache in batches; returns how many were found."""
        cache = self.gateway.cache
        if cache is None:
            return 0
        found = cache.get_many(k for k in keys if k not in self.known)
        with self.lock:
            self.known.update(found)
        return len(found)

    def answers(self) -> dict[str, Answer]:
        """Every answer this batch has, pre-loaded or learned."""
        with self.lock:
            return {**self.known, **self.learned}

    def write_back(self) -> int:
        """Writes the answers learned from the catalogues to the shared cache; returns how many."""
        with self.lock:
            learned, self.learned = self.learned, {}
        if self.gateway.cache is not None and learned:
            self.gateway.cache.put_many(learned)
        return len(learned)

    def lookup(self, key: str) -> Answer | None:
        """This batch's answer for ``key``, else the shared cache's (one read), else None."""
        with self.lock:
            answer = self.known.get(key) or self.learned.get(key)
            if answer is not None:
                self.stats.from_preload += 1
                return answer
        cache = self.gateway.cache
        if cache is None:
            return None
        answer = cache.get_many([key]).get(key)
        if answer is not None:
            with self.lock:
                self.known[key] = answer
                self.stats.from_cache += 1
        return answer

    def learn(self, key: str, answer: Answer) -> None:
        with self.lock:
            self.learned[key] = answer


class Gateway:
    """The gateway of one Lambda container (started once; reused by every invocation)."""

    def __init__(self, upstreams: Iterable[Upstream], cache: LookupCache | None, budgets: Budgets | None) -> None:
        self.upstreams = {u.source: u for u in upstreams}
        self.cache = cache
        self.budgets = budgets
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                try:
                    status, body, headers = gateway.answer(self.path, self.headers)
                except Exception as e:
                    log.exception("gateway: %s failed", self.path)
                    status, body, headers = 502, json.dumps({"error": f"gateway: {type(e).__name__}"}).encode(), {}
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("gateway: " + format, *args)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True).start()

    def open(self, job_id: str | None) -> Session:
        """A session for one batch; the job's share of the daily budgets counts if it has one."""
        registered = job_id is not None and self.budgets is not None and self.budgets.registered(job_id)
        session = Session(self, secrets.token_hex(8), job_id if registered else None)
        with self.lock:
            self.sessions[session.token] = session
        return session

    def close(self, session: Session) -> int:
        """Ends a session: writes what it learned back to the shared cache; returns how many answers."""
        with self.lock:
            self.sessions.pop(session.token, None)
        return session.write_back()

    def answer(self, path: str, headers: Any) -> tuple[int, bytes, dict[str, str]]:
        """(status, body, extra headers) for a GET of ``/<session>/<source>/<catalogue path>?query``."""
        token, _, rest = path.lstrip("/").partition("/")
        source, _, rest = rest.partition("/")
        with self.lock:
            session = self.sessions.get(token)
        upstream = self.upstreams.get(source)
        if session is None or upstream is None:
            return 404, json.dumps({"error": f"gateway: no session {token!r} or catalogue {source!r}"}).encode(), {}
        catalogue_path = "/" + rest
        parts = urllib.parse.urlsplit(catalogue_path)
        forward = {name: headers[name] for name in FORWARDED_HEADERS if headers.get(name)}
        if source == "openlibrary" and parts.path == BOOKS_API:
            isbns = _bibkeys(parts.query)
            if isbns is not None:
                return self._books_api(session, upstream, isbns, forward)
        if source == "openlibrary" and parts.path == SEARCH:
            ids = _id_query(parts.query)
            if ids is not None:
                return self._id_search(session, upstream, *ids, forward)
        key = cache_key(source, catalogue_path)
        cached = session.lookup(key)
        if cached is not None:
            return cached.status, cached.body, {}
        status, body, extra = self._forward(session, upstream, catalogue_path, forward)
        if status in (200, 404):
            session.learn(key, Answer(status, body if status == 200 else b""))
        return status, body, extra

    def _books_api(
        self, session: Session, upstream: Upstream, isbns: list[str], forward: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        merged: dict[str, Any] = {}
        missing: list[str] = []
        for isbn in isbns:
            cached = session.lookup(isbn_key(isbn))
            if cached is None:
                missing.append(isbn)
            elif cached.status == 200:
                merged[f"ISBN:{isbn}"] = json.loads(cached.body)
        if missing:
            query = "bibkeys=" + ",".join(f"ISBN:{i}" for i in missing) + "&format=json&jscmd=data"
            status, body, extra = self._forward(session, upstream, f"{BOOKS_API}?{query}", forward)
            if status != 200:
                return status, body, extra
            try:
                fresh = json.loads(body)
            except ValueError:
                return status, body, extra  # the core reports the malformed answer
            if not isinstance(fresh, dict):
                return status, body, extra
            for isbn in missing:
                part = fresh.get(f"ISBN:{isbn}")
                session.learn(
                    isbn_key(isbn),
                    Answer(200, json.dumps(part, ensure_ascii=False).encode())
                    if part is not None
                    else Answer(404, b""),
                )
            merged.update({k: v for k, v in fresh.items() if isinstance(k, str)})
        return 200, json.dumps(merged, ensure_ascii=False).encode(), {}

    def _id_search(
        self, session: Session, upstream: Upstream, field: str, ids: list[str], fields: str, forward: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        """An identifier search split by identifier: the docs of the ids the cache has, plus one
        search (page by page, as the core reads it) for the others, each id's docs cached on its own."""
        docs: list[Any] = []
        missing: list[str] = []
        for identifier in ids:
            cached = session.lookup(search_key(field, identifier))
            part = json.loads(cached.body) if cached is not None and cached.status == 200 else None
            if cached is None or (part is not None and part.get("fields") != fields):
                missing.append(identifier)  # unknown, or cached from a search asking other fields
            elif part is not None:
                docs.extend(part["docs"])
        if missing:
            limit = min(max(2 * len(missing), 10), 100)
            fresh: list[dict[str, Any]] = []
            complete = False
            for page in range(MAX_SEARCH_PAGES):
                params = {"q": f"{field}:({' OR '.join(missing)})", "fields": fields, "limit": str(limit)}
                if page:
                    params["offset"] = str(page * limit)
                query = urllib.parse.urlencode(params)
                status, body, extra = self._forward(session, upstream, f"{SEARCH}?{query}", forward)
                if status != 200:
                    return status, body, extra
                try:
                    answer = json.loads(body)
                    got = answer["docs"]
                    total = int(answer.get("numFound") or 0)
                except (ValueError, KeyError, TypeError):
                    return status, body, extra  # the core reports the malformed answer
                if not isinstance(got, list):
                    return status, body, extra
                fresh.extend(d for d in got if isinstance(d, dict))
                if len(got) < limit or len(fresh) >= total:
                    complete = True
                    break
            for identifier in missing:
                mine = [d for d in fresh if identifier in _doc_ids(d, field)]
                if mine:
                    body = json.dumps({"fields": fields, "docs": mine}, ensure_ascii=False).encode()
                    session.learn(search_key(field, identifier), Answer(200, body))
                elif complete:  # "no work lists it" is known only when every page was read
                    session.learn(search_key(field, identifier), Answer(404, b""))
            docs.extend(fresh)
        unique = list({json.dumps(d, sort_keys=True): d for d in docs}.values())
        merged = {"numFound": len(unique), "start": 0, "numFoundExact": True, "docs": unique}
        return 200, json.dumps(merged, ensure_ascii=False).encode(), {}

    def _forward(
        self, session: Session, upstream: Upstream, catalogue_path: str, headers: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        stats = session.stats
        if self.budgets is not None:
            try:
                self.budgets.acquire(upstream.source, session.job_id)
            except DailyBudgetSpent as e:
                log.warning("gateway: %s", e)
                with session.lock:
                    stats.budget_spent += 1
                return 429, DAILY_QUOTA_BODY, {}
            except Busy as e:
                log.warning("gateway: %s", e)
                with session.lock:
                    stats.busy += 1
                return 429, b'{"error": "the deployment\'s per-second budget is busy"}', {"retry-after": "1"}
        url = upstream.base_url.rstrip("/") + catalogue_path
        with session.lock:
            stats.forwarded += 1
            stats.per_source[upstream.source] = stats.per_source.get(upstream.source, 0) + 1
        request = urllib.request.Request(url, headers=headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=UPSTREAM_TIMEOUT) as response:  # noqa: S310 (configured URLs)
                return response.status, response.read(), {}
        except urllib.error.HTTPError as e:
            extra = {"retry-after": e.headers["retry-after"]} if e.headers.get("retry-after") else {}
            return e.code, e.read(), extra
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            # The core sees a server error and retries as it would a dropped connection.
            return (
                503,
                json.dumps({"error": f"gateway: {upstream.source} unreachable ({type(e).__name__})"}).encode(),
                {},
            )
