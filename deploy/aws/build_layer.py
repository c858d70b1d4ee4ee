#!/usr/bin/env python3
"""Builds the Lambda layer directory from the project's manylinux wheel (no Docker needed).

    python deploy/aws/build_layer.py target/wheels/bookenrich-*-manylinux*_aarch64.whl

unpacks the wheel into ``deploy/aws/build/layer/python/`` (the layout Lambda puts on
``sys.path``), which ``cdk synth``/``cdk deploy`` then package with ``Code.from_asset``. The wheel
must be abi3 (any CPython >= 3.9) for Linux aarch64 (Lambda's arm64, the CDK app's default) or
x86_64, with glibc <= 2.34, the Lambda python3.12 runtime's (Amazon Linux 2023); docs/aws.md shows
how to build one. It prints the architecture the functions must then run on.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "build" / "layer"
# Lambda python3.12 (Amazon Linux 2023) has glibc 2.34.
MAX_GLIBC = (2, 34)
#: Wheel platform machines, by the Lambda architecture that runs them.
LAMBDA_ARCHITECTURES = {"x86_64": "x86_64", "aarch64": "arm64"}


def check_wheel(path: Path) -> str:
    """The Lambda architecture of a wheel Lambda can load; refuses the wrong platform, wrong ABI,
    or too new a glibc."""
    name = path.name
    if not name.endswith(".whl") or not name.startswith("bookenrich-"):
        raise SystemExit(f"{path}: not a bookenrich wheel")
    tags = name[:-4].split("-")[-3:]
    python_tag, abi_tag, platform_tag = tags
    if abi_tag != "abi3" and not python_tag.startswith("cp312"):
        raise SystemExit(f"{name}: needs an abi3 wheel (or a cp312 one), got {python_tag}-{abi_tag}")
    for platform in platform_tag.split("."):
        match = re.fullmatch(r"manylinux(?:2014|_(\d+)_(\d+))_(x86_64|aarch64)", platform)
        if match is None:
            continue
        glibc = (int(match.group(1)), int(match.group(2))) if match.group(1) else (2, 17)
        if glibc <= MAX_GLIBC:
            return LAMBDA_ARCHITECTURES[match.group(3)]
    raise SystemExit(
        f"{name}: needs a manylinux x86_64 or aarch64 wheel for glibc <= {MAX_GLIBC[0]}.{MAX_GLIBC[1]}, "
        f"got {platform_tag}"
    )


def build(wheel: Path, out: Path) -> Path:
    architecture = check_wheel(wheel)
    target = out / "python"
    if out.exists():
        shutil.rmtree(out)
    target.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            destination = (target / member).resolve()
            if not str(destination).startswith(str(target.resolve())):
                raise SystemExit(f"{wheel}: unsafe path in the wheel: {member}")
        archive.extractall(target)
    if not (target / "bookenrich" / "__init__.py").is_file():
        raise SystemExit(f"{wheel}: no bookenrich package inside")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"layer: {target} ({size / 1e6:.1f} MB unpacked; Lambda allows 250 MB)")
    print(f"layer: for Lambda {architecture}; deploy with -c architecture={architecture}")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wheel", type=Path, help="the bookenrich manylinux aarch64 or x86_64 wheel")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"layer directory (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    build(args.wheel, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
