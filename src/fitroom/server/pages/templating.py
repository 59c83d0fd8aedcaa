"""Page rendering shared by every page module: templates, login redirect, safe next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from fitroom.server.models import User

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


templates = Jinja2Templates(directory=TEMPLATES_DIR)


def euros(cents: int) -> str:
    return f"€{cents / 100:,.2f}"


def render(
    request: Request, name: str, user: User | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    context.update(user=user, csrf_token=request.state.csrf_token)
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would help phishing.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


templates.env.filters["euros"] = euros
