"""Saved looks: save (opt-in), list, get, image, delete — a user only ever sees their own."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from fitroom.server import crud
from fitroom.server.api.deps import Csrf, CurrentUser, IdForm, IdPath, ServicesDep, SessionDep
from fitroom.server.core.crypto import encode_jpeg
from fitroom.server.models import Look
from fitroom.server.schemas import LookPublic, Message
from fitroom.server.services.accounts import user_media_prefix
from fitroom.server.services.looks import look_public
from fitroom.server.services.tryon import render_upload

router = APIRouter(prefix="/looks", tags=["looks"])


def own_look(session: SessionDep, look_id: int, user: CurrentUser) -> Look:
    look = crud.get_own_look(session, look_id=look_id, user_id=user.id)
    if look is None:  # another user's look is indistinguishable from a missing one
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such look")
    return look


@router.post("", status_code=201, dependencies=[Csrf])
async def save_look(
    services: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    photo: Annotated[UploadFile, File()],
    garment_id: IdForm,
    size: Annotated[str | None, Form(max_length=8)] = None,
    tuck: Annotated[bool, Form()] = False,
    keep_photo: Annotated[bool, Form(description="also keep the original photo")] = False,
) -> LookPublic:
    """Render again and keep the result (and the photo when asked), encrypted and EXIF-free."""
    pixels, result = await render_upload(services, session, user, photo, garment_id, size, tuck)
    look_jpeg = await run_in_threadpool(encode_jpeg, result.image)
    prefix = f"{user_media_prefix(user.id)}/looks/{uuid.uuid4().hex}"
    image_key = f"{prefix}/look.bin"
    services.storage.put(image_key, services.cipher.encrypt(look_jpeg, image_key.encode()))
    photo_key = None
    if keep_photo:
        photo_key = f"{prefix}/photo.bin"
        photo_jpeg = await run_in_threadpool(encode_jpeg, pixels)
        services.storage.put(photo_key, services.cipher.encrypt(photo_jpeg, photo_key.encode()))
    look = crud.create_look(
        session,
        user_id=user.id,
        garment_id=garment_id,
        size=size or None,
        image_key=image_key,
        photo_key=photo_key,
    )
    return look_public(look)


@router.get("")
def list_looks(session: SessionDep, user: CurrentUser) -> list[LookPublic]:
    return [look_public(look) for look in crud.list_looks(session, user_id=user.id)]


@router.get("/{look_id}")
def get_look(look_id: IdPath, session: SessionDep, user: CurrentUser) -> LookPublic:
    return look_public(own_look(session, look_id, user))


def _decrypted(services: ServicesDep, key: str) -> Response:
    data = services.cipher.decrypt(services.storage.get(key), key.encode())
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.get("/{look_id}/image", response_class=Response)
def look_image(
    look_id: IdPath, services: ServicesDep, session: SessionDep, user: CurrentUser
) -> Response:
    return _decrypted(services, own_look(session, look_id, user).image_key)


@router.get("/{look_id}/photo", response_class=Response)
def look_photo(
    look_id: IdPath, services: ServicesDep, session: SessionDep, user: CurrentUser
) -> Response:
    look = own_look(session, look_id, user)
    if look.photo_key is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the photo of this look was not kept")
    return _decrypted(services, look.photo_key)


@router.delete("/{look_id}", dependencies=[Csrf])
def delete_look(
    look_id: IdPath, services: ServicesDep, session: SessionDep, user: CurrentUser
) -> Message:
    look = own_look(session, look_id, user)
    for key in (look.image_key, look.photo_key):
        if key:
            services.storage.delete(key)
    session.delete(look)
    return Message(message="look deleted")
