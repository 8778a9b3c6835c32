"""422 bodies that never echo a large input back: FastAPI's field errors, with each offending
input cut to a short excerpt (a 200 KB paste is not returned to the client, nor logged)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

EXCERPT_CHARS = 120  # the most of a rejected input a 422 quotes back


def excerpt(value: Any) -> Any:
    """`value` itself when short, else its first EXCERPT_CHARS characters and a count."""
    text = value if isinstance(value, str) else json.dumps(jsonable_encoder(value), default=str)
    if len(text) <= EXCERPT_CHARS:
        return value
    return f"{text[:EXCERPT_CHARS]}… ({len(text):,} characters)"


async def validation_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {**e, "input": excerpt(e["input"])} if "input" in e else e
        for e in jsonable_encoder(exc.errors())
    ]
    return JSONResponse(status_code=422, content={"detail": errors})
