"""The ETA of a job arriving while others run, against its actual time, on a simulated clock
(tests/eta_model.py; docs/aws.md, "Measured goals"). The benchmark runs the same at another size:
``BOOKENRICH_ETA=others,other_books,books,titles,warm_libraries,batch_overhead[,merge_policy] pytest
tests/test_eta.py -s`` (``batch_overhead``: seconds of processor time per batch besides the
catalogues'; ``merge_policy`` ``union`` asks Google for every book, which the default ``planned``
does not against the fake catalogue: Open Library has genres for all its books)."""

from __future__ import annotations

import os
from typing import Any

from catalogue import FakeCatalogue
from eta_model import run
from harness import Deployment
from scale import with_google_key_unpaced

from bookenrich_infra import DeploymentConfig
from bookenrich_infra.stack import ASSUMED_BATCH_SECONDS

#: Ten jobs of 100 books running when a 300-book job arrives, over 1,500 titles, after 10 readers;
#: each batch takes the stack's assumed processor time besides its requests.
CI_SIZE = (10, 100, 300, 1500, 10, ASSUMED_BATCH_SECONDS)
#: Read at import: the tests' own fixtures clear BOOKENRICH_* variables before each test.
SIZE = os.environ.get("BOOKENRICH_ETA")


def test_a_job_arriving_while_ten_others_run_gets_an_eta_within_25_percent(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    fields = SIZE.split(",") if SIZE else [str(v) for v in CI_SIZE]
    others, other_books, books, titles, warm, overhead = (float(v) for v in fields[:6])
    if len(fields) > 6:
        monkeypatch.setenv("BOOKENRICH_MERGE_POLICY", fields[6])
    # The default deployment with a contact: the published limits shared, and as many processors.
    config = DeploymentConfig(contact="ops@example.com")
    limits = config.published_limits
    # The model's budgets pace the requests on its own clock; the gateway's must not wait for real.
    with_google_key_unpaced(monkeypatch)
    measured = run(
        catalogue,
        limits=limits,
        others=int(others),
        other_books=int(other_books),
        books=int(books),
        titles=int(titles),
        warm_libraries=int(warm),
        arrival_gap=0.5,
        processors=config.concurrency,
        latency=0.3,
        batch_overhead=overhead,
    )
    print(
        f"\neta: {others:g} jobs of {other_books:g} books, then {books:g} over {titles:g} titles after "
        f"{warm:g} readers, {overhead:g} s a batch besides requests: "
        f"{measured.others_running} others running at arrival; predicted {measured.predicted:.1f} s, "
        f"actual {measured.actual:.1f} s ({measured.error:+.1%}); requests sent {measured.requests}, "
        f"by the job {measured.job_requests}, its plan {measured.planned}"
    )
    assert measured.others_running == others and measured.others_done > 0
    assert measured.actual > 0 and abs(measured.error) <= 0.25
