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
from bookenrich_infra.elf import native_architecture  # noqa: E402


def elf_header(machine: int) -> bytes:
    """The first 64 bytes of a 64-bit little-endian shared object for ELF machine ``machine``."""
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    return ident + (3).to_bytes(2, "little") + machine.to_bytes(2, "little") + bytes(44)


def fake_wheel(directory: Path, name: str) -> Path:
    """A wheel whose native module has the ELF header of the architecture its name says."""
    path = directory / name
    machine = 0xB7 if "aarch64" in name else 0x3E
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bookenrich/__init__.py", '"""bookenrich"""\n')
        archive.writestr("bookenrich/_bookenrich.abi3.so", elf_header(machine))
        archive.writestr("bookenrich-0.1.0.dist-info/METADATA", "Name: bookenrich\n")
    return path


@pytest.mark.parametrize(
    ("name", "architecture"),
    [
        ("bookenrich-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl", "x86_64"),
        ("bookenrich-0.1.0-cp310-abi3-manylinux2014_x86_64.whl", "x86_64"),
        ("bookenrich-0.1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "x86_64"),
        ("bookenrich-0.1.0-cp39-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", "arm64"),
        ("bookenrich-0.1.0-cp39-abi3-manylinux_2_34_aarch64.whl", "arm64"),
    ],
)
def test_layer_from_a_lambda_compatible_wheel(tmp_path: Path, name: str, architecture: str) -> None:
    assert build_layer.check_wheel(tmp_path / name) == architecture
    out = build_layer.build(fake_wheel(tmp_path, name), tmp_path / "layer")
    assert (out / "python" / "bookenrich" / "__init__.py").is_file()
    assert (out / "python" / "bookenrich" / "_bookenrich.abi3.so").is_file()


@pytest.mark.parametrize(
    "name",
    [
        "bookenrich-0.1.0-cp39-abi3-manylinux_2_39_x86_64.whl",
        "bookenrich-0.1.0-cp39-abi3-manylinux_2_39_aarch64.whl",
        "bookenrich-0.1.0-cp39-abi3-musllinux_1_2_aarch64.whl",
        "bookenrich-0.1.0-cp39-abi3-manylinux_2_17_armv7l.whl",
        "bookenrich-0.1.0-cp39-abi3-macosx_11_0_arm64.whl",
        "bookenrich-0.1.0-cp311-cp311-manylinux_2_34_x86_64.whl",
        "other-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl",
    ],
)
def test_layer_refuses_wheels_lambda_cannot_load(tmp_path: Path, name: str) -> None:
    with pytest.raises(SystemExit):
        build_layer.build(fake_wheel(tmp_path, name), tmp_path / "layer")


@pytest.mark.parametrize(
    ("wheel", "architecture"),
    [
        ("bookenrich-0.1.0-cp39-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", "arm64"),
        ("bookenrich-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl", "x86_64"),
    ],
)
def test_app_synthesizes_offline_and_bundles_the_layer(tmp_path: Path, wheel: str, architecture: str) -> None:
    """`app.py` as `cdk deploy` runs it, the layer bundled locally from a built wheel (layerWheel)."""
    cdk_json = json.loads((DEPLOY / "cdk.json").read_text())
    context = {
        **cdk_json["context"],
        "layerWheel": str(fake_wheel(tmp_path, wheel)),
        "architecture": architecture,
        "account": "123456789012",
        "region": "eu-west-1",
    }
    out = tmp_path / "cdk.out"
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": str(out)}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    subprocess.run([sys.executable, str(DEPLOY / "app.py")], check=True, env=env, cwd=DEPLOY, timeout=300)
    template = json.loads((out / "BookEnrich.template.json").read_text())
    kinds = [r["Type"] for r in template["Resources"].values()]
    assert kinds.count("AWS::Lambda::Function") == 9
    assert kinds.count("AWS::StepFunctions::StateMachine") == 1
    assert "Rules" not in template  # no bootstrap-version rule: synthesizes without an account
    definition = json.dumps(template)
    assert "ResultWriter" in definition and "DISTRIBUTED" in definition
    (layer,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::LayerVersion"]
    assert layer["Properties"]["CompatibleArchitectures"] == [architecture]
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            assert resource["Properties"]["Architectures"] == [architecture]
    # The layer asset the deploy uploads: the wheel unpacked under python/, for this architecture.
    asset = out / f"asset.{layer['Properties']['Content']['S3Key'].removesuffix('.zip')}"
    native = asset / "python" / "bookenrich" / "_bookenrich.abi3.so"
    assert (asset / "python" / "bookenrich" / "__init__.py").is_file()
    assert native_architecture(native) == architecture


def test_cdk_json_deploys_on_arm64() -> None:
    assert json.loads((DEPLOY / "cdk.json").read_text())["context"]["architecture"] == "arm64"


@pytest.mark.parametrize(
    ("wheel", "architecture", "built_for"),
    [
        ("bookenrich-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl", "arm64", "x86_64"),
        ("bookenrich-0.1.0-cp39-abi3-manylinux_2_34_aarch64.whl", "x86_64", "arm64"),
    ],
)
def test_a_layer_of_the_other_architecture_is_refused(
    tmp_path: Path, wheel: str, architecture: str, built_for: str
) -> None:
    import aws_cdk as cdk

    from bookenrich_infra import BookEnrichStack, DeploymentConfig

    layer = build_layer.build(fake_wheel(tmp_path, wheel), tmp_path / "layer")
    config = DeploymentConfig(layer_dir=layer, architecture=architecture)
    with pytest.raises(ValueError, match=f"built for {built_for}, but the functions run on {architecture}"):
        BookEnrichStack(cdk.App(), "Mismatch", config=config)


def test_an_unknown_architecture_is_refused() -> None:
    from bookenrich_infra import DeploymentConfig

    with pytest.raises(ValueError, match="architecture must be one of arm64, x86_64, got 'arm'"):
        DeploymentConfig(architecture="arm")
