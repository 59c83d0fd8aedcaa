"""The suite waits for state, never for time (issue 16, finding 17).

A browser test that sleeps or waits a fixed time before asserting passes on an idle machine and
fails on a busy one (as ``test_shopper_sees_the_garment_they_smiled_most_in`` once did). Every
pause in a test must be the poll interval of a loop that checks the state it waits for, or the
simulated device whose slowness a test is about.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: Functions whose sleeping is the behaviour under test: a camera and a display slower than
#: the live pipeline (tests/live/test_session.py).
SIMULATED_DEVICES = {"camera", "slow_sink"}


def _pauses(tree: ast.AST) -> list[tuple[int, str, bool]]:
    """(line, call, inside a polling loop or a simulated device) for every pause in a module."""
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, polling: bool, device: bool) -> None:
        for child in ast.iter_child_nodes(node):
            here_polling = polling or isinstance(child, ast.While)
            here_device = device
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                here_polling, here_device = False, child.name in SIMULATED_DEVICES
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                name = child.func.attr
                if name == "wait_for_timeout":
                    found.append((child.lineno, name, False))
                elif name == "sleep":
                    found.append((child.lineno, name, here_polling or here_device))
            visit(child, here_polling, here_device)

    visit(tree, False, False)
    return found


def test_finding_17_tests_wait_for_state_not_for_time() -> None:
    fixed = []
    for path in sorted(TESTS.rglob("*.py")):
        for line, call, allowed in _pauses(ast.parse(path.read_text(encoding="utf-8"))):
            if not allowed:
                fixed.append(f"{path.relative_to(TESTS)}:{line}: {call}")
    assert not fixed, "fixed waits (wait for the state instead): " + ", ".join(fixed)


def test_the_audit_sees_a_fixed_wait() -> None:
    source = "def test_x(page):\n    page.click('#go')\n    page.wait_for_timeout(500)\n"
    assert _pauses(ast.parse(source)) == [(3, "wait_for_timeout", False)]
    polled = "import time\ndef f():\n    while True:\n        time.sleep(0.1)\n"
    assert _pauses(ast.parse(polled)) == [(4, "sleep", True)]
