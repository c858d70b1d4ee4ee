"""The entry points: ``app.py`` synthesizes offline, and ``build_layer.py`` accepts only wheels Lambda can load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import DEPLOY

sys.path.insert(0, str(DEPLOY))
import build_layer  # noqa: E402


def fake_wheel(directory: Path, name: str) -> Path:
    path = directory / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bookenrich/__init__.py", '"""bookenrich"""\n')
        archive.writestr("bookenrich/_bookenrich.abi3.so", b"\x7fELF")
        archive.writestr("bookenrich-0.1.0.dist-info/METADATA", "Name: bookenrich\n")
    return path


@pytest.mark.parametrize(
    "name",
    [
        "bookenrich-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl",
        "bookenrich-0.1.0-cp310-abi3-manylinux2014_x86_64.whl",
        "bookenrich-0.1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ],
)
def test_layer_from_a_lambda_compatible_wheel(tmp_path: Path, name: str) -> None:
    out = build_layer.build(fake_wheel(tmp_path, name), tmp_path / "layer")
    assert (out / "python" / "bookenrich" / "__init__.py").is_file()
    assert (out / "python" / "bookenrich" / "_bookenrich.abi3.so").is_file()


@pytest.mark.parametrize(
    "name",
    [
        "bookenrich-0.1.0-cp39-abi3-manylinux_2_39_x86_64.whl",
        "bookenrich-0.1.0-cp39-abi3-manylinux_2_34_aarch64.whl",
        "bookenrich-0.1.0-cp39-abi3-macosx_11_0_arm64.whl",
        "bookenrich-0.1.0-cp311-cp311-manylinux_2_34_x86_64.whl",
        "other-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl",
    ],
)
def test_layer_refuses_wheels_lambda_cannot_load(tmp_path: Path, name: str) -> None:
    with pytest.raises(SystemExit):
        build_layer.build(fake_wheel(tmp_path, name), tmp_path / "layer")


def test_app_synthesizes_offline(tmp_path: Path) -> None:
    layer = build_layer.build(
        fake_wheel(tmp_path, "bookenrich-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl"), tmp_path / "layer"
    )
    cdk_json = json.loads((DEPLOY / "cdk.json").read_text())
    context = {**cdk_json["context"], "layerDir": str(layer), "account": "123456789012", "region": "eu-west-1"}
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": str(tmp_path / "cdk.out")}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    subprocess.run([sys.executable, str(DEPLOY / "app.py")], check=True, env=env, cwd=DEPLOY, timeout=300)
    template = json.loads((tmp_path / "cdk.out" / "BookEnrich.template.json").read_text())
    kinds = [r["Type"] for r in template["Resources"].values()]
    assert kinds.count("AWS::Lambda::Function") == 9
    assert kinds.count("AWS::StepFunctions::StateMachine") == 1
    assert "Rules" not in template  # no bootstrap-version rule: synthesizes without an account
    definition = json.dumps(template)
    assert "ResultWriter" in definition and "DISTRIBUTED" in definition
