"""asl-validator (npm) on the resolved state machine definitions of both synthesized stacks.

cfn-lint does not look inside the ``Fn::Join`` CDK emits; the resolved JSON is what Step Functions
parses, Distributed Map fields included. ``npm ci`` in deploy/aws installs the validator; CI sets
BOOKENRICH_REQUIRE_ASL_VALIDATOR=1 so that a missing validator fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import DEPLOY

from bookenrich_infra.definition import placeholder_resolver, state_machine_definition

VALIDATOR = DEPLOY / "node_modules" / ".bin" / "asl-validator"


def validate(definition: dict[str, Any], path: Path) -> subprocess.CompletedProcess[str]:
    path.write_text(json.dumps(definition, indent=2))
    node = shutil.which("node")
    assert node is not None
    return subprocess.run(
        [node, str(VALIDATOR.resolve()), "--json-path", str(path)], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module", autouse=True)
def _validator() -> None:
    if not VALIDATOR.exists():
        if os.environ.get("BOOKENRICH_REQUIRE_ASL_VALIDATOR") == "1":
            pytest.fail(f"{VALIDATOR} is missing: run `npm ci` in {DEPLOY}")
        pytest.skip("asl-validator is not installed (npm ci in deploy/aws)")


@pytest.mark.parametrize("stack", ["prod", "test"])
def test_the_deployed_definition_is_valid_asl(synthesized: dict[str, Any], tmp_path: Path, stack: str) -> None:
    template = synthesized["templates"][stack]
    definition = state_machine_definition(template, placeholder_resolver(template))
    result = validate(definition, tmp_path / f"{stack}.asl.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓" in result.stdout or "valid" in result.stdout.lower(), result.stdout


def test_the_validator_rejects_a_broken_definition(synthesized: dict[str, Any], tmp_path: Path) -> None:
    template = synthesized["templates"]["prod"]
    definition = state_machine_definition(template, placeholder_resolver(template))
    definition["States"]["Aggregate"]["Next"] = "NoSuchState"
    result = validate(definition, tmp_path / "broken.asl.json")
    assert result.returncode == 1
    assert "NoSuchState" in result.stdout + result.stderr
