"""Every long module says at its top why it is long (the brief: no module over ~500 lines
without a reason)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "fitroom"
LIMIT = 500
MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_is_found() -> None:
    assert len(MODULES) > 50


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_long_module_states_why_at_its_top(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if text.count("\n") <= LIMIT:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    head = " ".join(docstring.split("\n\n")[:2]).lower()
    assert "500 lines" in head, f"{path.name}: over {LIMIT} lines, no reason at its top"
