"""The layer `cdk deploy` builds itself (bookenrich_infra.bundling): the command it runs for each
architecture and source, the error naming a missing tool, and the layer it leaves, with stand-in
tools on a PATH of their own (the real maturin build is the release stage's; nothing here downloads)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from test_app import fake_wheel

from bookenrich_infra.bundling import REPO_DIR, TRIPLES, LayerRecipe, checkout_version
from bookenrich_infra.config import DeploymentConfig
from bookenrich_infra.elf import native_architecture
from bookenrich_infra.layer import LayerError

WHEELS = {
    "arm64": "bookenrich-0.1.0-cp39-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    "x86_64": "bookenrich-0.1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
}


def tool(directory: Path, name: str, body: str) -> Path:
    """An executable Python script ``name`` in ``directory``."""
    path = directory / name
    path.write_text(f"#!{sys.executable}\nimport json, os, sys\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def stand_in_tools(tmp_path: Path, *, wheel: str, rust_std_for: str | None) -> Path:
    """A PATH with maturin (records its arguments, writes ``wheel`` into ``--out``), zig, cargo and a
    rustc whose sysroot has the standard library of ``rust_std_for`` (a triple) only."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sysroot = tmp_path / "sysroot"
    if rust_std_for is not None:
        (sysroot / "lib" / "rustlib" / rust_std_for / "lib").mkdir(parents=True)
    source = tmp_path / "wheel-source"
    source.mkdir()
    built = fake_wheel(source, wheel)
    tool(
        bin_dir,
        "maturin",
        f"json.dump(sys.argv[1:], open({str(tmp_path / 'maturin.json')!r}, 'w'))\n"
        "out = sys.argv[sys.argv.index('--out') + 1]\n"
        f"open(os.path.join(out, {wheel!r}), 'wb').write(open({str(built)!r}, 'rb').read())",
    )
    tool(bin_dir, "zig", "")
    tool(bin_dir, "cargo", "")
    tool(bin_dir, "rustc", f"print({str(sysroot)!r})")
    return bin_dir


@pytest.mark.parametrize("architecture", ["arm64", "x86_64"])
def test_the_checkout_is_built_by_maturin_with_zig_for_the_architecture(architecture: str) -> None:
    recipe = LayerRecipe(architecture, tools="")
    assert recipe.commands(Path("/w")) == [
        [
            "maturin",
            "build",
            "--release",
            "--locked",
            "--zig",
            "--target",
            {"arm64": "aarch64-unknown-linux-gnu", "x86_64": "x86_64-unknown-linux-gnu"}[architecture],
            "--compatibility",
            "manylinux2014",
            "--manifest-path",
            str(REPO_DIR / "bookenrich-py" / "Cargo.toml"),
            "--out",
            "/w",
        ]
    ]


@pytest.mark.parametrize(
    ("architecture", "platform"), [("arm64", "manylinux_2_34_aarch64"), ("x86_64", "manylinux_2_34_x86_64")]
)
def test_the_released_wheel_is_downloaded_for_the_architecture(architecture: str, platform: str) -> None:
    recipe = LayerRecipe(architecture, source="pypi", python="py")
    version = checkout_version()
    assert version == "0.1.0" or version.count(".") == 2
    expected = ["py", "-m", "pip", "download", f"bookenrich=={version}", "--no-deps", "--only-binary=:all:"]
    expected += ["--platform", platform, "--python-version", "3.12", "--implementation", "cp", "--dest", "/w"]
    assert recipe.commands(Path("/w")) == [expected]
    pinned = LayerRecipe(architecture, source="pypi", version="0.0.9", python="py").commands(Path("/w"))
    assert pinned[0][4] == "bookenrich==0.0.9"


def test_a_given_wheel_needs_no_command(tmp_path: Path) -> None:
    recipe = LayerRecipe("arm64", wheel=fake_wheel(tmp_path, WHEELS["arm64"]), tools="")
    assert recipe.commands(tmp_path) == [] and recipe.missing_tools() == []
    out = tmp_path / "layer"
    recipe.build(out)
    assert native_architecture(out / "python" / "bookenrich" / "_bookenrich.abi3.so") == "arm64"


def test_without_any_tool_the_error_names_maturin_zig_and_cargo(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    recipe = LayerRecipe("arm64", tools=str(empty))
    with pytest.raises(LayerError) as error:
        recipe.build(tmp_path / "layer")
    message = str(error.value)
    assert "cannot build the Lambda layer (arm64) from the checkout" in message
    for needed in ("maturin (pip install maturin)", "zig (pip install ziglang)", "cargo (https://rustup.rs)"):
        assert needed in message
    assert "-c layerFrom=pypi" in message and "-c layerWheel=PATH" in message
    assert not (tmp_path / "layer").exists()


@pytest.mark.parametrize("absent", ["maturin", "zig"])
def test_one_missing_tool_is_named_alone(tmp_path: Path, absent: str) -> None:
    tools = stand_in_tools(tmp_path, wheel=WHEELS["x86_64"], rust_std_for=TRIPLES["x86_64"])
    (tools / absent).unlink()
    with pytest.raises(LayerError) as error:
        LayerRecipe("x86_64", tools=str(tools)).build(tmp_path / "layer")
    assert f"missing {absent} (pip install {'maturin' if absent == 'maturin' else 'ziglang'}). " in str(error.value)


def test_a_cross_build_without_the_targets_standard_library_says_how_to_add_it(tmp_path: Path) -> None:
    tools = stand_in_tools(tmp_path, wheel=WHEELS["arm64"], rust_std_for=TRIPLES["x86_64"])
    with pytest.raises(LayerError, match=r"missing the Rust standard library for aarch64-unknown-linux-gnu \(rustup"):
        LayerRecipe("arm64", tools=str(tools)).build(tmp_path / "layer")


@pytest.mark.parametrize("architecture", ["arm64", "x86_64"])
def test_the_checkout_build_runs_maturin_and_unpacks_its_wheel(tmp_path: Path, architecture: str) -> None:
    tools = stand_in_tools(tmp_path, wheel=WHEELS[architecture], rust_std_for=TRIPLES[architecture])
    recipe = LayerRecipe(architecture, tools=str(tools))
    out = tmp_path / "layer"
    wheel = recipe.build(out)
    ran = json.loads((tmp_path / "maturin.json").read_text())
    (expected,) = recipe.commands(wheel.parent)
    assert [str(tools / "maturin"), *ran] == expected
    assert native_architecture(out / "python" / "bookenrich" / "_bookenrich.abi3.so") == architecture


def test_a_wheel_of_the_other_architecture_is_refused(tmp_path: Path) -> None:
    tools = stand_in_tools(tmp_path, wheel=WHEELS["x86_64"], rust_std_for=TRIPLES["arm64"])
    with pytest.raises(LayerError, match="is built for x86_64, but the functions run on arm64"):
        LayerRecipe("arm64", tools=str(tools)).build(tmp_path / "layer")


def test_a_failing_build_names_its_command_and_exit_code(tmp_path: Path) -> None:
    tools = stand_in_tools(tmp_path, wheel=WHEELS["arm64"], rust_std_for=TRIPLES["arm64"])
    tool(tools, "maturin", "sys.exit(3)")
    with pytest.raises(LayerError, match=r"`\S*maturin build --release .*` exited with 3"):
        LayerRecipe("arm64", tools=str(tools)).build(tmp_path / "layer")


def test_the_released_wheel_is_unpacked_from_what_pip_downloads(tmp_path: Path) -> None:
    source = tmp_path / "index"
    source.mkdir()
    wheel = fake_wheel(source, WHEELS["arm64"])
    python = tool(
        tmp_path,
        "python",
        f"json.dump(sys.argv[1:], open({str(tmp_path / 'pip.json')!r}, 'w'))\n"
        "if sys.argv[1:4] == ['-m', 'pip', 'download']:\n"
        "    out = sys.argv[sys.argv.index('--dest') + 1]\n"
        f"    open(os.path.join(out, {wheel.name!r}), 'wb').write(open({str(wheel)!r}, 'rb').read())",
    )
    recipe = LayerRecipe("arm64", source="pypi", version="0.1.0", python=str(python))
    out = tmp_path / "layer"
    recipe.build(out)
    assert json.loads((tmp_path / "pip.json").read_text())[2:4] == ["download", "bookenrich==0.1.0"]
    assert native_architecture(out / "python" / "bookenrich" / "_bookenrich.abi3.so") == "arm64"


def test_pypi_without_pip_is_named(tmp_path: Path) -> None:
    python = tool(tmp_path, "python", "sys.exit(1)")
    with pytest.raises(LayerError, match=f"missing pip for {python}"):
        LayerRecipe("x86_64", source="pypi", python=str(python)).build(tmp_path / "layer")


def test_layer_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="layerFrom must be one of checkout, pypi, got 'docker'"):
        DeploymentConfig(layer_from="docker")
    with pytest.raises(ValueError, match="pass one of them"):
        DeploymentConfig(layer_dir=Path("a"), layer_wheel=Path("b.whl"))
    config = DeploymentConfig.from_context({"layerWheel": "w.whl", "layerFrom": "pypi", "layerVersion": "1.2.3"}.get)
    assert (config.layer_wheel, config.layer_from, config.layer_version) == (
        Path("w.whl").resolve(),
        "pypi",
        "1.2.3",
    )
    assert os.path.isabs(str(config.layer_wheel))
