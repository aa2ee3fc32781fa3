"""Every HTTP error as JSON with a French message in `detail`: domain refusals, invalid requests, and
the framework's own errors; and how they are described in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..domain.errors import DomainError

STATUS_OF_CODE = {"forbidden": 403, "removed": 403, "not_found": 404, "limit": 409, "invalid": 422, "unavailable": 503}


async def domain_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    return JSONResponse({"detail": error.message, "code": error.code}, status_code=STATUS_OF_CODE.get(error.code, 400))


class ErrorBody(BaseModel):
    """Every error of the API: a French message to show, and for refusals of the domain its code."""

    detail: str = Field(description="Message en français, à montrer à la personne.")
    code: str | None = Field(default=None, description="For refusals of the atelier's rules: `invalid`, `limit`…")


class ValidationErrorBody(ErrorBody):
    """422: the request's shape (with `errors`), or a rule of the atelier (with `code` `invalid`)."""

    errors: list[dict[str, str]] | None = Field(default=None, description="Each invalid field: `{field, message}`.")


ERROR_DESCRIPTIONS = {
    400: "Not a valid `hello` frame (the realtime protocol's `bad_hello`).",
    401: "No token: send `Authorization: Bearer <token>`.",
    403: "The token is not one that allows this (wrong atelier, not the animateur's, not the démarche's).",
    404: "Unknown atelier, démarche or resource.",
    409: "A limit is reached, the démarche has no atelier yet, or the session already has its stream.",
    413: "Too large: one frame over 64 KiB, or a batch over 1 MiB or 200 frames.",
    422: "Invalid input: the fields and why.",
    503: "Storage unavailable for a moment: nothing was done, try again.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with its JSON body."""
    # The schema inline and under application/json: on a route whose success is a PDF or Markdown, a
    # `model` would be documented with the success's media type, and errors are always JSON.
    return {
        status: {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {
                "application/json": {
                    "schema": (ValidationErrorBody if status == 422 else ErrorBody).model_json_schema()
                }
            },
        }
        for status in statuses
    }


# pydantic's reasons, by error type, in French (anything else keeps pydantic's English wording).
_REASONS = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "string_type": "du texte est attendu",
    "string_too_short": "trop court (au moins {min_length} caractère(s))",
    "string_too_long": "trop long (au plus {max_length} caractères)",
    "string_pattern_mismatch": "forme invalide",
    "literal_error": "valeur attendue : {expected}",
    "enum": "valeur attendue : {expected}",
    "int_type": "un nombre entier est attendu",
    "int_parsing": "un nombre entier est attendu",
    "bool_type": "vrai ou faux est attendu",
    "bool_parsing": "vrai ou faux est attendu",
    "date_type": "une date AAAA-MM-JJ est attendue",
    "date_parsing": "une date AAAA-MM-JJ est attendue",
    "date_from_datetime_parsing": "une date AAAA-MM-JJ est attendue",
    "date_from_datetime_inexact": "une date AAAA-MM-JJ est attendue",
    "dict_type": "un objet JSON est attendu",
    "model_type": "un objet JSON est attendu",
    "model_attributes_type": "un objet JSON est attendu",
    "json_invalid": "JSON illisible",
}


def french_reason(item: Mapping[str, Any]) -> str:
    """Why one field was refused, in French when we know the reason."""
    template = _REASONS.get(str(item.get("type")))
    if template is None:
        return str(item.get("msg", "valeur invalide"))
    context = {key: str(value) for key, value in (item.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split(" (", 1)[0].split(" :", 1)[0]


def field_name(location: Sequence[Any]) -> str:
    """`body.title` → `title`; the JSON body itself, or a character position in it, → `corps`."""
    parts = [str(part) for part in location[1:] if not isinstance(part, int) or location[0] != "body"]
    return ".".join(parts) or ("corps" if location and location[0] == "body" else str(location[0]))


async def validation_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [{"field": field_name(item["loc"]), "message": french_reason(item)} for item in error.errors()]
    summary = "; ".join(f"{item['field']} : {item['message']}" for item in errors)
    return JSONResponse({"detail": f"Requête invalide — {summary}", "errors": errors}, status_code=422)


# Starlette's and FastAPI's own English messages, said in French; an unreadable body is invalid input.
_HTTP_DEFAULTS = {
    "Not Found": (404, "Adresse introuvable."),
    "Method Not Allowed": (405, "Méthode non autorisée pour cette adresse."),
    "There was an error parsing the body": (422, "Requête invalide — corps : JSON en UTF-8 attendu."),
}


async def http_error_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if isinstance(error.detail, str) and error.detail in _HTTP_DEFAULTS:
        status, message = _HTTP_DEFAULTS[error.detail]
        error = StarletteHTTPException(status, message, dict(error.headers or {}))
    return await http_exception_handler(request, error)
