"""The server's layering: route modules import no other route module; ``app.py`` no route internals.

Route modules are ``api/routes/*.py`` and the page modules ``pages/*.py`` (``pages/templating.py``
is the pages' shared rendering, not a route module). Two assemblers may import route modules to
include their routers: ``api/main.py`` and ``pages/__init__.py``. Imports are read with ``ast``,
so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fitroom.server

SERVER = Path(fitroom.server.__file__).resolve().parent
ROUTE_PACKAGES = ("fitroom.server.api.routes", "fitroom.server.pages")
NOT_ROUTES = {"fitroom.server.pages.templating"}
ASSEMBLERS = {"fitroom.server.api.main", "fitroom.server.pages"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SERVER.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parse(path: Path) -> ast.Module:
    """``path`` parsed, in a thread of its own: after the browser tests' Playwright (greenlets
    in the main thread) the parser's recursion bookkeeping there can be off and it raises
    SystemError ("AST constructor recursion depth mismatch")."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(ast.parse, path.read_text(encoding="utf-8")).result()


def imported_modules(path: Path, name: str | None = None) -> set[str]:
    """Every module ``path`` (module ``name``) imports; ``from X import y`` counts X and X.y."""
    found: set[str] = set()
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def is_route_module(name: str) -> bool:
    return (
        name not in NOT_ROUTES
        and any(name == pkg or name.startswith(pkg + ".") for pkg in ROUTE_PACKAGES)
        and name != "fitroom.server.api.routes"
    )


def route_modules() -> dict[str, Path]:
    paths = [*(SERVER / "api" / "routes").glob("*.py"), *(SERVER / "pages").glob("*.py")]
    return {module_name(p): p for p in paths if is_route_module(module_name(p))}


def test_route_modules_are_found() -> None:
    names = set(route_modules())
    assert {"fitroom.server.api.routes.tryon", "fitroom.server.pages.live"} <= names
    assert "fitroom.server.pages.templating" not in names


def test_route_modules_import_no_other_route_module() -> None:
    modules = route_modules()
    offences = []
    for name, path in modules.items():
        if name in ASSEMBLERS:
            continue
        for target in imported_modules(path):
            if target != name and target in modules:
                offences.append(f"{name} imports {target}")
    assert offences == []


def test_assemblers_import_routers_only() -> None:
    # The assemblers include routers; they take nothing else from a route module.
    pages_init = imported_modules(SERVER / "pages" / "__init__.py")
    assert not {t for t in pages_init if t.startswith("fitroom.server.api.routes")}
    api_main = imported_modules(SERVER / "api" / "main.py")
    assert {t for t in api_main if t.startswith("fitroom.server.pages")} == set()


def test_app_imports_no_route_internals() -> None:
    # app.py may take the two assembled routers, nothing out of a route module.
    allowed = {"fitroom.server.api.main.api_router", "fitroom.server.pages.router"}
    targets = imported_modules(SERVER / "app.py")
    internals = {
        t
        for t in targets
        if is_route_module(t.rsplit(".", 1)[0]) or (is_route_module(t) and t not in ASSEMBLERS)
    }
    assert internals - allowed == set()


def test_the_checker_sees_a_cross_route_import(tmp_path: Path) -> None:
    # The checker must be able to fail: a lazy import inside a function counts.
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from .catalog import visible_garment\n", encoding="utf-8")
    found = imported_modules(source, "fitroom.server.api.routes.x")
    assert "fitroom.server.api.routes.catalog" in found
    assert is_route_module("fitroom.server.api.routes.catalog")


HTTP_PACKAGES = {"fastapi", "starlette"}


def test_service_modules_know_no_http() -> None:
    # The service layer raises fitroom's typed errors; only the web layer speaks HTTP.
    services = sorted((SERVER / "services").glob("*.py"))
    assert len(services) >= 10
    offences = sorted(
        f"{module_name(path)} imports {target}"
        for path in services
        for target in imported_modules(path)
        if target.split(".")[0] in HTTP_PACKAGES or target.startswith("fitroom.server.api")
    )
    assert offences == []


def test_the_checker_sees_an_http_import(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("from fastapi import HTTPException, status\n", encoding="utf-8")
    found = imported_modules(source, "fitroom.server.services.x")
    assert "fastapi.HTTPException" in found
