"""``POST /api/v1/tryon``: a photo in, the composited JPEG out; the photo is never stored."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from fitroom.server import crud
from fitroom.server.api.deps import Csrf, CurrentUser, IdForm, ServicesDep, SessionDep
from fitroom.server.core.crypto import encode_jpeg
from fitroom.server.services.reactions import record_reaction, summary_dict
from fitroom.server.services.tryon import render_upload

router = APIRouter(prefix="/tryon", tags=["tryon"])


@router.post("", response_class=Response, dependencies=[Csrf])
async def try_on(
    services: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    photo: Annotated[UploadFile, File(description="a JPEG, PNG or WebP photo of one person")],
    garment_id: IdForm,
    size: Annotated[str | None, Form(max_length=8)] = None,
    tuck: Annotated[bool, Form()] = False,
    share_reaction: Annotated[
        bool, Form(description="store this try-on's expression summary (numbers only)")
    ] = False,
) -> Response:
    """The composited JPEG; warnings and timings come in ``X-Fitroom-*`` headers."""
    _, result = await render_upload(services, session, user, photo, garment_id, size, tuck)
    crud.create_feedback(session, user_id=user.id, garment_id=garment_id, kind="tryon")
    headers = {
        "X-Fitroom-Warnings": json.dumps(list(result.warnings)),
        "X-Fitroom-Timings": json.dumps({k: round(v, 1) for k, v in result.timings_ms.items()}),
        "Cache-Control": "no-store",
    }
    # The face was analysed by perception already; only its expression numbers are kept.
    face = result.perception.single().face
    if face is not None and face.expression is not None:
        summary, stored = record_reaction(
            session,
            user=user,
            garment_id=garment_id,
            frames=[face.expression],
            source="photo",
            consent=share_reaction,
        )
        headers["X-Fitroom-Reaction"] = json.dumps({**summary_dict(summary), "stored": stored})
    jpeg = await run_in_threadpool(encode_jpeg, result.image)
    return Response(jpeg, media_type="image/jpeg", headers=headers)
