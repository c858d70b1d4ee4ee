"""The Lambda layer from a bookenrich wheel: which wheels Lambda can load, and the layer directory.

A layer directory holds the wheel unpacked under ``python/`` (the layout Lambda puts on
``sys.path``). The wheel must be abi3 (any CPython >= 3.9) or cp312, for Linux aarch64 (Lambda's
arm64) or x86_64, with glibc <= 2.34, the Lambda python3.12 runtime's (Amazon Linux 2023).
``build_layer.py`` (by hand) and the stack's local bundling (``cdk deploy``) both end here.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from bookenrich_infra.elf import native_architecture

# Lambda python3.12 (Amazon Linux 2023) has glibc 2.34.
MAX_GLIBC = (2, 34)
#: Wheel platform machines, by the Lambda architecture that runs them.
LAMBDA_ARCHITECTURES = {"x86_64": "x86_64", "aarch64": "arm64"}


class LayerError(ValueError):
    """A wheel Lambda cannot load, or a layer that cannot be made from it (the message says why)."""


def check_wheel(path: Path) -> str:
    """The Lambda architecture of a wheel Lambda can load; refuses the wrong platform, wrong ABI,
    or too new a glibc."""
    name = path.name
    if not name.endswith(".whl") or not name.startswith("bookenrich-"):
        raise LayerError(f"{path}: not a bookenrich wheel")
    tags = name[:-4].split("-")[-3:]
    python_tag, abi_tag, platform_tag = tags
    if abi_tag != "abi3" and not python_tag.startswith("cp312"):
        raise LayerError(f"{name}: needs an abi3 wheel (or a cp312 one), got {python_tag}-{abi_tag}")
    for platform in platform_tag.split("."):
        match = re.fullmatch(r"manylinux(?:2014|_(\d+)_(\d+))_(x86_64|aarch64)", platform)
        if match is None:
            continue
        glibc = (int(match.group(1)), int(match.group(2))) if match.group(1) else (2, 17)
        if glibc <= MAX_GLIBC:
            return LAMBDA_ARCHITECTURES[match.group(3)]
    raise LayerError(
        f"{name}: needs a manylinux x86_64 or aarch64 wheel for glibc <= {MAX_GLIBC[0]}.{MAX_GLIBC[1]}, "
        f"got {platform_tag}"
    )


def unpack(wheel: Path, out: Path) -> str:
    """Unpacks a checked wheel into ``out/python`` (``out`` is emptied first); returns its architecture.

    The native module's own ELF header must agree with the wheel's platform tag.
    """
    architecture = check_wheel(wheel)
    target = out / "python"
    if out.exists():
        shutil.rmtree(out)
    target.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            destination = (target / member).resolve()
            if not str(destination).startswith(str(target.resolve())):
                raise LayerError(f"{wheel}: unsafe path in the wheel: {member}")
        archive.extractall(target)
    package = target / "bookenrich"
    if not (package / "__init__.py").is_file():
        raise LayerError(f"{wheel}: no bookenrich package inside")
    for native in sorted(package.glob("_bookenrich*.so")):
        built_for = native_architecture(native)
        if built_for != architecture:
            raise LayerError(f"{wheel}: tagged for {architecture}, but {native.name} is built for {built_for}")
    return architecture


def size_mb(layer: Path) -> float:
    """Unpacked size of a layer directory, MB (Lambda allows 250 MB for a function and its layers)."""
    return sum(p.stat().st_size for p in layer.rglob("*") if p.is_file()) / 1e6
