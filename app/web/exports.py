"""Deliverable files: the PDF and the printable A3 supports (issue: the deliverable)."""

from fastapi import APIRouter

router = APIRouter()
