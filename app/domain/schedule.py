"""The atelier's schedule: planned step times against real ones, the drift, and how to absorb it.

The plan starts at the atelier's real start (the first time the animateur launches a step's
timer) and adds the kit's step durations. The real times come from the step history the log
builds (`record_timer_start`, `record_step_change`), so they survive a restart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .deroule import Deroule
from .timer import Timer

# A step the suggestion shortens keeps at least this share of its planned time: a 10-minute
# step never goes under 5, a 5-minute one never under 3.
KEEP_AT_LEAST = 0.5
ON_TIME_S = 30  # under half a minute either way, the atelier is on time

StepHistory = list[tuple[int, float]]  # (step index, when it became current), in order


def record_timer_start(history: StepHistory, step_index: int, started_at: float | None) -> None:
    """The first timer start is the atelier's real start; later starts change nothing."""
    if not history and started_at is not None:
        history.append((step_index, started_at))


def record_step_change(history: StepHistory, step_index: int, at: float) -> None:
    """Steps visited before the atelier started (setting up) are not part of its history."""
    if history:
        history.append((step_index, at))


@dataclass(frozen=True)
class StepTiming:
    index: int
    title: str
    planned_minutes: int
    planned_start: float | None  # None for steps before the one the atelier started at
    real_start: float | None  # the first time it became current; None if not reached yet
    spent_s: float  # time spent on it so far, all visits together
    status: str  # done | current | upcoming

    @property
    def start_delta_s(self) -> float | None:
        """How late (positive) or early (negative) the step really started."""
        if self.planned_start is None or self.real_start is None:
            return None
        return self.real_start - self.planned_start


@dataclass(frozen=True)
class Shortening:
    index: int  # 0-based step index
    minutes: int


@dataclass(frozen=True)
class Schedule:
    started_at: float | None
    steps: tuple[StepTiming, ...]
    drift_s: float | None  # positive: behind; negative: ahead; None before the start
    shortenings: tuple[Shortening, ...] = ()
    uncovered_minutes: int = 0  # what the shortenings cannot absorb

    @property
    def drift_minutes(self) -> int | None:
        return None if self.drift_s is None else drift_minutes(self.drift_s)

    @property
    def drift_label(self) -> str:
        return "" if self.drift_s is None else drift_label(self.drift_s)

    @property
    def suggestion(self) -> str:
        return suggestion_text(self.drift_minutes, self.shortenings, self.uncovered_minutes)


def drift_minutes(drift_s: float) -> int:
    """Whole minutes, rounded half away from zero, 0 within ON_TIME_S."""
    if abs(drift_s) < ON_TIME_S:
        return 0
    return int(math.copysign(math.floor(abs(drift_s) / 60 + 0.5), drift_s))


def drift_label(drift_s: float) -> str:
    minutes = drift_minutes(drift_s)
    if minutes == 0:
        return "à l'heure"
    return f"+{minutes} min" if minutes > 0 else f"−{-minutes} min"  # a real minus sign


def planned_starts(deroule: Deroule, first_index: int, started_at: float) -> list[float | None]:
    """When each step should start if every step from `first_index` kept the kit's duration."""
    starts: list[float | None] = [None] * len(deroule.steps)
    at = started_at
    for index in range(first_index, len(deroule.steps)):
        starts[index] = at
        at += deroule.steps[index].duration_seconds
    return starts


def drift_seconds(planned_end: float, timer: Timer, now: float) -> float:
    """How much later than planned the current step will end, given its timer.

    A running timer ends when it says; a paused or unstarted one only after its remainder from
    now; a timer in overtime has already made the step late by its overtime.
    """
    projected_end = now + max(0.0, timer.remaining_at(now))
    return projected_end - planned_end


def suggest_shortenings(needed_minutes: int, steps: list[tuple[int, int]]) -> tuple[list[Shortening], int]:
    """Shorten the upcoming `steps` ((index, planned minutes)) by `needed_minutes` in all.

    One step when one can absorb it all (the one with the most room, so the cut weighs least);
    otherwise the steps with the most room first. No step goes under KEEP_AT_LEAST of its time.
    Returns the cuts in step order and the minutes left uncovered.
    """
    if needed_minutes <= 0:
        return [], 0
    room = [(index, minutes - math.ceil(minutes * KEEP_AT_LEAST)) for index, minutes in steps]
    room = [(index, slack) for index, slack in room if slack > 0]
    by_room = sorted(room, key=lambda item: (-item[1], item[0]))  # most room first, then earliest
    if by_room and by_room[0][1] >= needed_minutes:
        return [Shortening(by_room[0][0], needed_minutes)], 0
    cuts: list[Shortening] = []
    left = needed_minutes
    for index, slack in by_room:
        if left == 0:
            break
        cut = min(slack, left)
        cuts.append(Shortening(index, cut))
        left -= cut
    return sorted(cuts, key=lambda cut: cut.index), left


def suggestion_text(drift: int | None, shortenings: tuple[Shortening, ...], uncovered: int) -> str:
    if drift is None or drift == 0:
        return ""
    if drift < 0:
        return f"{-drift} min d'avance : l'étape en cours peut prendre un peu plus de temps."
    if not shortenings:
        return "Aucune étape restante ne peut absorber ce retard : annoncez la nouvelle heure de fin."
    parts = [f"l'étape {cut.index + 1} de {cut.minutes} min" for cut in shortenings]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} et {parts[-1]}"
    text = f"Raccourcir {listed}."
    if uncovered:
        text += f" Il restera {uncovered} min de retard."
    return text


def build_schedule(deroule: Deroule, history: StepHistory, step_index: int, timer: Timer, now: float) -> Schedule:
    """The whole picture for the animateur at `now`."""
    first_index, started_at = history[0] if history else (step_index, None)
    planned = (
        planned_starts(deroule, first_index, started_at) if started_at is not None else [None] * len(deroule.steps)
    )
    real_start: dict[int, float] = {}
    spent: dict[int, float] = {}
    for position, (index, at) in enumerate(history):
        end = history[position + 1][1] if position + 1 < len(history) else now
        real_start.setdefault(index, at)
        spent[index] = spent.get(index, 0.0) + max(0.0, end - at)
    steps = tuple(
        StepTiming(
            index=index,
            title=step.title,
            planned_minutes=step.duration_minutes,
            planned_start=planned[index],
            real_start=real_start.get(index),
            spent_s=spent.get(index, 0.0),
            status="current" if index == step_index else "done" if index in real_start else "upcoming",
        )
        for index, step in enumerate(deroule.steps)
    )
    current_planned = planned[step_index]
    if started_at is None or current_planned is None:
        return Schedule(started_at, steps, None)
    drift = drift_seconds(current_planned + deroule.steps[step_index].duration_seconds, timer, now)
    upcoming = [(index, step.duration_minutes) for index, step in enumerate(deroule.steps) if index > step_index]
    cuts, uncovered = suggest_shortenings(drift_minutes(drift), upcoming)
    return Schedule(started_at, steps, drift, tuple(cuts), uncovered)
