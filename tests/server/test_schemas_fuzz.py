"""Fuzzing every request body of the API: its schema answers "valid" or a validation error,
and the running app answers below 500, whatever JSON or form fields arrive.

The bodies are found in the app's OpenAPI document, so a new endpoint is fuzzed without
editing this file: each JSON body's pydantic model (looked up among the classes of
``fitroom.server``) gets arbitrary JSON, its own field names with arbitrary values, and number
edge cases; each multipart form gets arbitrary text fields and arbitrary bytes as files.
Deterministic (derandomize) and bounded (a few hundred requests per database).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import fitroom.server
from fitroom.server import Settings, create_app

pytestmark = pytest.mark.fuzz

EDGE_NUMBERS = st.sampled_from(
    [0, -1, 2**31, 2**63, 10**20, -(10**20), 1e308, -1e308, 1e-308, 0.5, float("nan"), float("inf")]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=16),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def _server_models() -> dict[str, type[BaseModel]]:
    """Every pydantic model defined in ``fitroom.server``, by class name."""
    models: dict[str, type[BaseModel]] = {}
    for info in pkgutil.walk_packages(fitroom.server.__path__, "fitroom.server."):
        if ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == info.name
            ):
                models[value.__name__] = value
    return models


def _operations() -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    """(method, path, schema name, content type) of every operation with a body."""
    with tempfile.TemporaryDirectory() as var:
        app = create_app(Settings(environment="test", secret_key="fuzz-" + "x" * 40, var_dir=var))
        document = app.openapi()
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for ctype, content in operation.get("requestBody", {}).get("content", {}).items():
                name = content["schema"]["$ref"].rsplit("/", 1)[1]
                found.append((method.upper(), path, name, ctype))
    return found, document["components"]["schemas"]


OPERATIONS, COMPONENTS = _operations()
MODELS = _server_models()
JSON_BODIES = sorted({name for _, _, name, ctype in OPERATIONS if ctype == "application/json"})
FORMS = [op for op in OPERATIONS if op[3] != "application/json"]


def test_every_json_body_is_a_server_model() -> None:
    assert len(JSON_BODIES) >= 5, OPERATIONS
    assert set(JSON_BODIES) <= set(MODELS), set(JSON_BODIES) - set(MODELS)


def _bodies(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    fields = sorted(model.model_fields)
    shaped = st.fixed_dictionaries(
        {},
        optional={
            name: JSON | EDGE_NUMBERS | st.lists(EDGE_NUMBERS, max_size=8) for name in fields
        },
    )
    return JSON | shaped


@pytest.mark.parametrize("name", JSON_BODIES)
@settings(settings.get_profile("fuzz"), max_examples=100)
@given(data=st.data())
def test_fuzz_json_body_schemas_validate_or_refuse(name: str, data: st.DataObject) -> None:
    model = MODELS[name]
    body = data.draw(_bodies(model))
    try:
        parsed = model.model_validate(body)
    except ValidationError:
        return
    parsed.model_dump_json()


#: Requests reuse the module's logged-in clients across examples.
REQUESTS = settings(
    settings.get_profile("fuzz"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _url(path: str, garment_id: int) -> str:
    return re.sub(r"\{[a-z_]+\}", str(garment_id), path)


@pytest.fixture(scope="module")
def clients(
    app: FastAPI,
    settings: Settings,
    csrf: Callable[[TestClient], dict[str, str]],
    signup: Callable[..., str],
) -> dict[str, TestClient]:
    """A logged-in shopper and the demo merchant; a server error is a 500 answer, not raised."""
    shopper = TestClient(app, raise_server_exceptions=False)
    merchant = TestClient(app, raise_server_exceptions=False)
    for client in (shopper, merchant):
        assert client.get("/api/v1/auth/csrf").status_code == 200
    signup(shopper, name="Fuzzer")
    response = merchant.post(
        "/api/v1/auth/login",
        json={"email": settings.demo_merchant_email, "password": settings.demo_merchant_password},
        headers=csrf(merchant),
    )
    assert response.status_code == 200, response.text
    return {"shopper": shopper, "merchant": merchant}


def _send(client: TestClient, method: str, url: str, **kwargs: Any) -> int:
    headers = {"X-CSRF-Token": client.cookies.get("fitroom_csrf", ""), **kwargs.pop("headers", {})}
    return client.request(method, url, headers=headers, **kwargs).status_code


def _form_fields(name: str) -> tuple[list[str], list[str]]:
    """(text fields, file fields) of a multipart form schema."""
    schema = COMPONENTS[name]
    texts, files = [], []
    for field, spec in schema.get("properties", {}).items():
        kinds = [spec, *spec.get("anyOf", []), spec.get("items", {})]
        binary = any(k.get("format") == "binary" or "contentMediaType" in k for k in kinds)
        (files if binary else texts).append(field)
    return texts, files


def _json_request(name: str, data: st.DataObject) -> dict[str, Any]:
    text = json.dumps(data.draw(_bodies(MODELS[name])))  # NaN, Infinity: bare words, as sent
    return {"content": text.encode(), "headers": {"Content-Type": "application/json"}}


def _form_request(name: str, data: st.DataObject) -> dict[str, Any]:
    texts, files = _form_fields(name)
    assert texts or files, COMPONENTS[name]
    value = st.text(max_size=24) | EDGE_NUMBERS.map(str) | JSON.map(json.dumps)
    upload = st.binary(max_size=2048).map(lambda b: ("x.png", b, "image/png"))
    fields = data.draw(st.fixed_dictionaries({}, optional={f: value for f in texts}))
    uploads = data.draw(st.fixed_dictionaries({}, optional={f: upload for f in files}))
    return {"data": fields, "files": uploads or None}


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
@settings(REQUESTS, max_examples=16)
@given(data=st.data())
def test_fuzz_requests_never_answer_5xx(
    clients: dict[str, TestClient], operation: tuple[str, str, str, str], data: st.DataObject
) -> None:
    method, path, name, ctype = operation
    build = _json_request if ctype == "application/json" else _form_request
    request = build(name, data)
    url = _url(path, data.draw(st.sampled_from([1, 2, 0, -1])))
    who = "merchant" if "/merchant/" in path else "shopper"
    status = _send(clients[who], method, url, **request)
    assert status < 500, (method, url, request.get("content") or request.get("data"), status)


def test_fuzz_found_the_forms() -> None:
    assert {path for _, path, _, _ in FORMS} >= {"/api/v1/tryon", "/api/v1/merchant/garments"}
    assert all(callable(getattr(MODELS.get(n), "model_validate", None)) for n in JSON_BODIES)
