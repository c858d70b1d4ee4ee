"""The layer built by ``cdk synth`` / ``cdk deploy`` itself: CDK local bundling, no Docker.

Where the wheel comes from (context values, docs/aws.md "Deploying"):

- ``layerFrom=checkout`` (the default): maturin builds this checkout's manylinux2014 wheel for the
  stack's architecture, with zig as the linker, so an x86_64 machine builds the arm64 layer too
  (``maturin build --release --zig --target <triple>``);
- ``layerFrom=pypi``: the released wheel from the package index (``pip download``, the checkout's
  version unless ``layerVersion`` names another), which needs no Rust toolchain;
- ``layerWheel=PATH``: a wheel built beforehand, used as it is (no tool at all; the tests' path).

Each ends in :func:`bookenrich_infra.layer.unpack`, which refuses a wheel of the other architecture
or one Lambda cannot load. A missing tool is an error naming it and how to get it, before anything
runs; the bundling never declines, so the CDK never falls back to Docker.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

from bookenrich_infra.config import LAYER_SOURCES
from bookenrich_infra.layer import LayerError, check_wheel, unpack

#: Rust target triples of the Lambda architectures.
TRIPLES = {"arm64": "aarch64-unknown-linux-gnu", "x86_64": "x86_64-unknown-linux-gnu"}
#: ``pip download --platform``: pip also accepts every older manylinux, down to manylinux2014.
PIP_PLATFORMS = {"arm64": "manylinux_2_34_aarch64", "x86_64": "manylinux_2_34_x86_64"}
#: Lambda's runtime, whose wheels ``pip download`` looks for (abi3 wheels of older CPythons included).
LAMBDA_PYTHON = "3.12"
REPO_DIR = Path(__file__).resolve().parents[4]


def checkout_version(repo: Path = REPO_DIR) -> str:
    """The workspace version in ``Cargo.toml`` (the bookenrich package's), for ``layerFrom=pypi``."""
    manifest = repo / "Cargo.toml"
    text = manifest.read_text()
    section = re.search(r"^\[workspace\.package\]\s*$(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    version = re.search(r'^version\s*=\s*"([^"]+)"', section.group(1), re.MULTILINE) if section else None
    if version is None:
        raise LayerError(f"{manifest}: no version in [workspace.package]; pass -c layerVersion=X.Y.Z")
    return version.group(1)


@dataclass(frozen=True)
class LayerRecipe:
    """How the layer of one architecture is made; ``tools`` is the PATH the tools are looked up on
    (None: the process's)."""

    architecture: str
    source: str = "checkout"
    wheel: Path | None = None
    version: str | None = None
    repo: Path = REPO_DIR
    python: str = sys.executable
    tools: str | None = None

    def __post_init__(self) -> None:
        if self.architecture not in TRIPLES:
            raise LayerError(f"architecture must be one of {', '.join(TRIPLES)}, got {self.architecture!r}")
        if self.wheel is None and self.source not in LAYER_SOURCES:
            raise LayerError(f"layerFrom must be one of {', '.join(LAYER_SOURCES)}, got {self.source!r}")

    @property
    def mode(self) -> str:
        """``wheel`` (a given wheel), ``checkout`` or ``pypi``."""
        return "wheel" if self.wheel is not None else self.source

    def describe(self) -> str:
        """What the layer is built from, for messages."""
        if self.wheel is not None:
            return f"the wheel {self.wheel}"
        if self.source == "pypi":
            return f"bookenrich {self.version or checkout_version(self.repo)} from the package index"
        return f"the checkout {self.repo}"

    def commands(self, wheel_dir: Path) -> list[list[str]]:
        """The commands that leave the wheel in ``wheel_dir`` (none for a given wheel)."""
        if self.wheel is not None:
            return []
        if self.source == "pypi":
            version = self.version or checkout_version(self.repo)
            return [
                [
                    self.python,
                    "-m",
                    "pip",
                    "download",
                    f"bookenrich=={version}",
                    "--no-deps",
                    "--only-binary=:all:",
                    "--platform",
                    PIP_PLATFORMS[self.architecture],
                    "--python-version",
                    LAMBDA_PYTHON,
                    "--implementation",
                    "cp",
                    "--dest",
                    str(wheel_dir),
                ]
            ]
        return [
            [
                self._which("maturin") or "maturin",
                "build",
                "--release",
                "--locked",
                "--zig",
                "--target",
                TRIPLES[self.architecture],
                "--compatibility",
                "manylinux2014",
                "--manifest-path",
                str(self.repo / "bookenrich-py" / "Cargo.toml"),
                "--out",
                str(wheel_dir),
            ]
        ]

    def missing_tools(self) -> list[str]:
        """What the recipe needs and does not find, each with how to get it (empty: all there)."""
        if self.wheel is not None:
            return [] if self.wheel.is_file() else [f"the wheel {self.wheel} (layerWheel): no such file"]
        if self.source == "pypi":
            return [] if self._runs([self.python, "-m", "pip", "--version"]) else [f"pip for {self.python}"]
        missing = []
        if self._which("maturin") is None:
            missing.append("maturin (pip install maturin)")
        # maturin --zig runs `python3 -m ziglang`, else `zig` on PATH.
        python3 = self._which("python3")
        if self._which("zig") is None and not (python3 and self._runs([python3, "-c", "import ziglang"])):
            missing.append("zig (pip install ziglang)")
        if self._which("cargo") is None:
            missing.append("cargo (https://rustup.rs)")
        elif not self._has_rust_std():
            triple = TRIPLES[self.architecture]
            missing.append(f"the Rust standard library for {triple} (rustup target add {triple})")
        return missing

    def _which(self, tool: str) -> str | None:
        return shutil.which(tool, path=self.tools)

    def _runs(self, command: list[str]) -> bool:
        try:
            return subprocess.run(command, capture_output=True, timeout=60, check=False).returncode == 0
        except OSError:
            return False

    def _has_rust_std(self) -> bool:
        rustc = self._which("rustc")
        if rustc is None:
            return False
        try:
            sysroot = subprocess.run(
                [rustc, "--print", "sysroot"], capture_output=True, text=True, timeout=60, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return False
        return (Path(sysroot) / "lib" / "rustlib" / TRIPLES[self.architecture] / "lib").is_dir()

    def build(self, out: Path) -> Path:
        """Makes the layer directory ``out``; returns the wheel it was made from (errors: LayerError)."""
        missing = self.missing_tools()
        if missing:
            raise LayerError(
                f"cannot build the Lambda layer ({self.architecture}) from {self.describe()}: missing "
                + "; ".join(missing)
                + ". Install them, or deploy the released wheel (-c layerFrom=pypi), a wheel built elsewhere "
                "(-c layerWheel=PATH) or a layer directory (-c layerDir=DIR); see docs/aws.md, Deploying"
            )
        with tempfile.TemporaryDirectory(prefix="bookenrich-layer-") as scratch:
            wheels = Path(scratch)
            for command in self.commands(wheels):
                environment = None if self.tools is None else {**os.environ, "PATH": self.tools}
                done = subprocess.run(command, cwd=self.repo, env=environment, check=False)
                if done.returncode != 0:
                    raise LayerError(
                        f"building the Lambda layer ({self.architecture}) from {self.describe()}: "
                        f"`{' '.join(command)}` exited with {done.returncode} (its output is above)"
                    )
            wheel = self.wheel if self.wheel is not None else _the_wheel(wheels, self.describe())
            built_for = check_wheel(wheel)
            if built_for != self.architecture:
                raise LayerError(
                    f"{wheel.name} is built for {built_for}, but the functions run on {self.architecture}: "
                    f"use the {self.architecture} wheel, or pass -c architecture={built_for}"
                )
            unpack(wheel, out)
            return wheel


def _the_wheel(directory: Path, origin: str) -> Path:
    found = sorted(directory.glob("bookenrich-*.whl"))
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise LayerError(f"building the Lambda layer from {origin}: expected one bookenrich wheel, got {names}")
    return found[0]


@jsii.implements(cdk.ILocalBundling)
class LocalLayerBundling:
    """The CDK's local bundling hook: builds the layer into the asset's output directory."""

    def __init__(self, recipe: LayerRecipe) -> None:
        self.recipe = recipe

    def try_bundle(self, output_dir: str, *, image: cdk.DockerImage, **_options: Any) -> bool:
        """Always bundles (True) or raises: falling back to Docker would hide a missing tool."""
        self.recipe.build(Path(output_dir))
        return True


def layer_code(recipe: LayerRecipe) -> lambda_.Code:
    """The layer's code asset, bundled at synth time by ``recipe``.

    The asset's hash is its output's: a checkout's build is hashed after bundling, never by
    fingerprinting the checkout (whose ``target/`` may hold gigabytes), and when the CDK skips
    bundling (``cdk ls``, another stack deployed) it uses a placeholder instead.
    """
    source = recipe.wheel.parent if recipe.wheel is not None else recipe.repo / "bookenrich-py"
    return lambda_.Code.from_asset(
        str(source),
        asset_hash_type=cdk.AssetHashType.OUTPUT,
        bundling=cdk.BundlingOptions(
            # Required by the CDK, never pulled: the local bundling never declines.
            image=cdk.DockerImage.from_registry("bookenrich-layer-is-bundled-locally"),
            local=LocalLayerBundling(recipe),
        ),
    )
