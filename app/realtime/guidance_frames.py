"""Client frames of the animateur guiding the room (relayed by `app.realtime.guidance`, never stored)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .frames import Unit, _Frame

WARN_MINUTES_MAX = 10
# The id of a panel of the room page (`panel-matrix`, `step`…): never HTML, never a selector.
PanelId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,40}$")]


class TimerWarn(_Frame):
    """« Plus que N minutes », shown and sounded to everyone."""

    type: Literal["timer.warn"]
    minutes: Annotated[int, Field(ge=1, le=WARN_MINUTES_MAX)] = 2


class FollowLead(_Frame):
    """Where the animateur is looking: a panel and how far down it. `summon` brings back those who browsed away."""

    type: Literal["follow.lead"]
    panel: PanelId
    offset: Unit = 0.0
    summon: bool = False


class FollowStop(_Frame):
    type: Literal["follow.stop"]


GuidanceFrame = TimerWarn | FollowLead | FollowStop
GUIDANCE_TYPES = ["timer.warn", "follow.lead", "follow.stop"]
