"""The public API snapshot: a public name or signature that changes must change this file too.

Regenerate after an intended change:
``FITROOM_REGEN_GOLDENS=1 pytest tests/test_api_surface.py``.
"""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path

PUBLIC_MODULES = (
    "fitroom.errors",
    "fitroom.assets",
    "fitroom.imaging",
    "fitroom.vision",
    "fitroom.garments",
    "fitroom.measure",
    "fitroom.fitting",
    "fitroom.dressing",
    "fitroom.tryon",
    "fitroom.live",
    "fitroom.reactions",
    "fitroom.recommend",
)
SNAPSHOT = Path(__file__).with_name("api_surface.txt")


def _signature(obj: object) -> str:
    try:
        return str(inspect.signature(obj))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "(...)"


def describe(module_name: str) -> list[str]:
    """One line per public name (and per public method of public classes)."""
    module = importlib.import_module(module_name)
    lines: list[str] = []
    for name in sorted(module.__all__):
        obj = getattr(module, name)
        if inspect.isclass(obj):
            bases = ", ".join(b.__name__ for b in obj.__bases__)
            lines.append(f"{module_name}.{name} class({bases})")
            for attr, value in sorted(vars(obj).items()):
                if attr.startswith("_") and attr != "__init__":
                    continue
                if inspect.isfunction(value):
                    lines.append(f"{module_name}.{name}.{attr}{_signature(value)}")
                elif isinstance(value, property):
                    lines.append(f"{module_name}.{name}.{attr} property")
        elif inspect.isfunction(obj):
            lines.append(f"{module_name}.{name}{_signature(obj)}")
        else:
            lines.append(f"{module_name}.{name} {type(obj).__name__}")
    return lines


def test_public_api_matches_snapshot() -> None:
    current = "\n".join(line for m in PUBLIC_MODULES for line in describe(m)) + "\n"
    if os.environ.get("FITROOM_REGEN_GOLDENS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert current == expected, (
        "the public API changed; if intended, regenerate tests/api_surface.txt with "
        "FITROOM_REGEN_GOLDENS=1"
    )


def test_every_public_name_is_documented() -> None:
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                assert inspect.getdoc(obj), f"{module_name}.{name} has no docstring"
