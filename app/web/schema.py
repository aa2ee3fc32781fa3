"""The published JSON Schema of the deliverable: the current version and every kept older one.

The files are the ones in docs/ (docs/deliverable.md tells which version is which); they are served
as they are, byte for byte, to anyone: a schema holds no atelier data.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam
from fastapi.responses import Response

from ..export.deliverable import SCHEMA_VERSION
from .errors import error_responses

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
CURRENT_SCHEMA = DOCS_DIR / "deliverable.schema.json"
# Every version a deliverable may carry in `schema_version`, and the file describing it.
SCHEMA_FILES = {
    "0.1.0": DOCS_DIR / "schemas" / "deliverable-0.1.0.schema.json",
    "0.2.0": DOCS_DIR / "schemas" / "deliverable-0.2.0.schema.json",
    "0.3.0": DOCS_DIR / "schemas" / "deliverable-0.3.0.schema.json",
    "0.4.0": DOCS_DIR / "schemas" / "deliverable-0.4.0.schema.json",
    SCHEMA_VERSION: CURRENT_SCHEMA,
}
MEDIA_TYPE = "application/schema+json"

log = logging.getLogger(__name__)

router = APIRouter(prefix="/schemas", tags=["schemas"])

_SCHEMA_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A JSON Schema (draft 2020-12).",
        "content": {MEDIA_TYPE: {"schema": {"type": "object"}}},
    }
}


def _schema_response(path: Path) -> Response:
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        # The docs/ folder was left out of this deployment (the image must copy it).
        log.error("deliverable schema missing: %s", path)
        raise HTTPException(404, "Schéma introuvable sur ce serveur.") from None
    return Response(body, media_type=MEDIA_TYPE)


@router.get(
    "/deliverable.json",
    response_class=Response,
    responses=_SCHEMA_RESPONSE,
    summary="Deliverable JSON Schema",
    description=f"The JSON Schema (draft 2020-12) of the deliverables the app produces now (`schema_version` "
    f"{SCHEMA_VERSION}): `GET /api/ateliers/{{id}}/deliverable.json` for every format and "
    "`GET /api/demarches/{id}/deliverable.json`. Public, no token.",
)
def current_schema() -> Response:
    return _schema_response(CURRENT_SCHEMA)


@router.get(
    "/deliverable-{version}.json",
    response_class=Response,
    responses=_SCHEMA_RESPONSE | error_responses(404, 422),
    summary="Deliverable JSON Schema, by version",
    description="The JSON Schema of one `schema_version` of the deliverable, to read a deliverable made by an "
    f"earlier version of the app (see docs/deliverable.md). Versions kept: {', '.join(SCHEMA_FILES)}. "
    "Public, no token; 404 for any other version.",
)
def versioned_schema(
    version: Annotated[str, PathParam(description="A `schema_version`, e.g. 0.2.0.")],
) -> Response:
    path = SCHEMA_FILES.get(version)
    if path is None:
        known = ", ".join(SCHEMA_FILES)
        raise HTTPException(404, f"Version de schéma inconnue : {version[:32]}. Versions disponibles : {known}.")
    return _schema_response(path)
