"""Register, log in, log out, who am I, and the CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from fitroom.server.api.deps import Csrf, CurrentUser, ServicesDep, SessionDep, client_ip
from fitroom.server.api.sessions import end_session, start_session
from fitroom.server.schemas import Message, UserCreate, UserLogin, UserPublic
from fitroom.server.services.accounts import login_user, register_user

router = APIRouter(prefix="/auth", tags=["auth"])


@router.get("/csrf")
def csrf_token(request: Request) -> dict[str, str]:
    """The CSRF token to echo in ``X-CSRF-Token`` (its cookie is set with this response)."""
    token: str = request.state.csrf_token
    return {"csrf_token": token}


@router.post("/register", status_code=201, dependencies=[Csrf])
def register(
    body: UserCreate,
    request: Request,
    response: Response,
    services: ServicesDep,
    session: SessionDep,
) -> UserPublic:
    user = register_user(services, session, body, address=client_ip(request))
    start_session(response, services, session, user)
    return UserPublic.model_validate(user)


@router.post("/login", dependencies=[Csrf])
def login(
    body: UserLogin,
    request: Request,
    response: Response,
    services: ServicesDep,
    session: SessionDep,
) -> UserPublic:
    user = login_user(services, session, body, address=client_ip(request))
    end_session(request, response, session)
    start_session(response, services, session, user)
    return UserPublic.model_validate(user)


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, response: Response, session: SessionDep) -> Message:
    end_session(request, response, session)
    return Message(message="logged out")


@router.get("/me")
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)
