"""The architecture a native module was built for, from its ELF header (no tools needed)."""

from __future__ import annotations

from pathlib import Path

#: ELF ``e_machine`` values, by the Lambda architecture name they run on.
_MACHINES = {0x3E: "x86_64", 0xB7: "arm64"}


def native_architecture(path: Path) -> str:
    """``x86_64`` or ``arm64`` for a 64-bit little-endian ELF file; anything else is an error."""
    with path.open("rb") as file:
        header = file.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        raise ValueError(f"{path}: not an ELF file")
    if header[4] != 2 or header[5] != 1:
        raise ValueError(f"{path}: not a 64-bit little-endian ELF file")
    machine = int.from_bytes(header[18:20], "little")
    if machine not in _MACHINES:
        raise ValueError(f"{path}: built for ELF machine {machine:#x}, which Lambda does not run")
    return _MACHINES[machine]
