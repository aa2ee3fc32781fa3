"""Map domain and protocol errors to HTTP answers with a JSON message."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from ..domain.errors import DomainError

STATUS_OF_CODE = {"forbidden": 403, "removed": 403, "not_found": 404, "limit": 409, "invalid": 422, "unavailable": 503}


async def domain_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    return JSONResponse({"detail": error.message, "code": error.code}, status_code=STATUS_OF_CODE.get(error.code, 400))
