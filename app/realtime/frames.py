"""The shapes every client frame shares: strict JSON objects, client-made ids, bounded text."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

OpId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
CardId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
# Generous bounds here; the domain applies the real text limits with a clear message.
ShortText = Annotated[str, StringConstraints(max_length=2000)]
Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Op(_Frame):
    type: str  # each operation narrows it to its own Literal
    id: OpId
