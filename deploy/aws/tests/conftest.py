"""Shared fixtures: the synthesized stacks (one synth per session), the fake catalogue, moto."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from catalogue import REPO, FakeCatalogue
from harness import Deployment

DEPLOY = Path(__file__).resolve().parents[1]
EDGE_CASES_CSV = REPO / "tests" / "fixtures" / "goodreads_edge_cases.csv"
#: The contact both the CLI and the processors send (it only changes the User-Agent).
CONTACT = "ci@bookenrich.invalid"
#: Far above anything the fake server limits: the tests assert what happens, not how fast.
TEST_RATE_LIMITS = {"openlibrary": 4000.0, "google": 4000.0}
TEST_MAX_CONCURRENCY = 4
#: Far above what any test sends in a day, unless the test lowers it (BUDGET_PER_DAY).
TEST_DAILY_BUDGETS = {"google": 1_000_000.0}


@pytest.fixture(scope="session")
def catalogue_server() -> Iterator[FakeCatalogue]:
    server = FakeCatalogue()
    yield server
    server.stop()


@pytest.fixture()
def catalogue(catalogue_server: FakeCatalogue) -> Iterator[FakeCatalogue]:
    """The shared fake catalogue with no latency, faults or limits, and zeroed stats."""
    catalogue_server.clean()
    yield catalogue_server
    catalogue_server.clean()


@pytest.fixture(scope="session")
def synthesized(catalogue_server: FakeCatalogue, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two stacks from one synth: ``prod`` (the defaults and a contact) and ``test`` (pointed at the
    fake catalogue, with high rate limits). Returns their templates and the stack objects."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from bookenrich_infra import BookEnrichStack, DeploymentConfig

    layer = tmp_path_factory.mktemp("layer")
    (layer / "python" / "bookenrich").mkdir(parents=True)
    (layer / "python" / "bookenrich" / "__init__.py").write_text('"""placeholder for the synth tests"""\n')
    context = json.loads((DEPLOY / "cdk.json").read_text())["context"]
    app = cdk.App(context=context, outdir=str(tmp_path_factory.mktemp("cdk.out")))
    env = cdk.Environment(account="123456789012", region="us-east-1")
    stacks = {
        "prod": BookEnrichStack(
            app,
            "BookEnrichProd",
            config=DeploymentConfig.from_context({**context, "layerDir": str(layer), "contact": "ops@example.com"}.get),
            env=env,
            synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
        ),
        "test": BookEnrichStack(
            app,
            "BookEnrichTest",
            config=DeploymentConfig(
                layer_dir=layer,
                contact=CONTACT,
                open_library_url=catalogue_server.url,
                google_books_url=catalogue_server.url,
                catalogue_rate_limits=dict(TEST_RATE_LIMITS),
                max_concurrency=TEST_MAX_CONCURRENCY,
                daily_budgets=dict(TEST_DAILY_BUDGETS),
            ),
            env=env,
            synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
        ),
    }
    app.synth()
    return {
        "stacks": stacks,
        "templates": {name: Template.from_stack(stack).to_json() for name, stack in stacks.items()},
        "assertions": {name: Template.from_stack(stack) for name, stack in stacks.items()},
    }


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without the calling shell's enricher or handler settings."""
    keep = {"BOOKENRICH_FAKE_CATALOGUE", "BOOKENRICH_CLI", "BOOKENRICH_REQUIRE_ASL_VALIDATOR"}
    handler_settings = {"DATA_BUCKET", "STATE_MACHINE_ARN", "ORCHESTRATOR_FUNCTION_NAME", "GOOGLE_BOOKS_API_KEY"}
    for name in list(os.environ):
        if (name.startswith("BOOKENRICH_") and name not in keep) or name in handler_settings:
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _fresh_gateways() -> Iterator[None]:
    """Each test's moto account is new: no processor gateway or enricher of another test is reused."""
    from bookenrich_aws import processor

    yield
    for gateway in processor._gateways.values():
        gateway.server.shutdown()
    processor._gateways.clear()
    processor._enrichers.clear()


@pytest.fixture()
def deployment(
    synthesized: dict[str, Any], catalogue: FakeCatalogue, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Deployment]:
    """The test stack running in moto against the fake catalogue."""
    deployment = Deployment(synthesized["templates"]["test"])
    with deployment.running(monkeypatch):
        yield deployment
