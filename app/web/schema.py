"""The published JSON Schema of the deliverable."""

from fastapi import APIRouter

router = APIRouter()
