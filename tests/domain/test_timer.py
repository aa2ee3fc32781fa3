"""The shared step timer: what the room shows as « Temps restant » at any server time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.timer import Timer

T0 = 1_000.0


def test_a_fresh_timer_is_stopped_at_its_full_duration() -> None:
    timer = Timer.fresh(600)
    assert not timer.running
    assert timer.remaining_at(T0) == timer.remaining_at(T0 + 999) == 600.0


def test_a_running_timer_counts_down_from_its_start() -> None:
    timer = Timer.fresh(600).start(T0)
    assert timer.running
    assert timer.remaining_at(T0) == 600.0
    assert timer.remaining_at(T0 + 90) == 510.0


def test_pause_freezes_the_remaining_time_and_resume_continues_from_it() -> None:
    paused = Timer.fresh(600).start(T0).pause(T0 + 100)
    assert not paused.running
    assert paused.remaining_at(T0 + 100) == paused.remaining_at(T0 + 5_000) == 500.0
    resumed = paused.start(T0 + 1_000)
    assert resumed.remaining_at(T0 + 1_030) == 470.0


def test_pausing_a_paused_timer_changes_nothing() -> None:
    paused = Timer.fresh(600).start(T0).pause(T0 + 100)
    assert paused.pause(T0 + 200) == paused


def test_overtime_keeps_counting_below_zero() -> None:
    timer = Timer.fresh(60).start(T0)
    assert timer.remaining_at(T0 + 60) == 0.0
    assert timer.remaining_at(T0 + 75) == -15.0
    assert timer.pause(T0 + 75).remaining_at(T0 + 500) == -15.0


def test_start_while_running_is_a_no_op() -> None:
    """A second « Lancer » (two animateurs clicking together) does not restart the countdown."""
    running = Timer.fresh(600).start(T0)
    assert running.start(T0 + 120) == running
    assert running.start(T0 + 120).remaining_at(T0 + 120) == 480.0


def test_add_to_a_running_timer_keeps_counting_from_now() -> None:
    timer = Timer.fresh(600).start(T0).add(60, T0 + 100)
    assert timer.running
    assert timer.started_at == T0 + 100
    assert timer.remaining_at(T0 + 100) == 560.0
    assert timer.remaining_at(T0 + 130) == 530.0


def test_add_to_a_paused_timer_stays_paused() -> None:
    timer = Timer.fresh(600).start(T0).pause(T0 + 100).add(60, T0 + 300)
    assert not timer.running
    assert timer.remaining_at(T0 + 1_000) == 560.0


def test_reset_stops_the_timer_at_its_full_duration() -> None:
    timer = Timer.fresh(600).start(T0).add(120, T0 + 10).reset()
    assert timer == Timer.fresh(600)


def test_to_dict_from_dict_round_trip() -> None:
    for timer in (Timer.fresh(300), Timer.fresh(300).start(T0 + 0.25), Timer(300, -12.5, None)):
        assert Timer.from_dict(timer.to_dict()) == timer


# Hypothesis: any sequence of clicks on the timer controls, at non-decreasing server times.
actions = st.lists(
    st.tuples(
        st.sampled_from(["start", "pause", "add", "reset"]),
        st.floats(min_value=0, max_value=3_600, allow_nan=False),  # seconds since the previous click
        st.integers(min_value=1, max_value=3_600),  # seconds the « + » adds
    ),
    max_size=30,
)


def _play(timer: Timer, action: str, now: float, seconds: int) -> Timer:
    if action == "start":
        return timer.start(now)
    if action == "pause":
        return timer.pause(now)
    if action == "add":
        return timer.add(seconds, now)
    return timer.reset()


@settings(max_examples=100, deadline=None)
@given(duration=st.integers(min_value=60, max_value=3_600), script=actions, later=st.floats(0, 10_000))
def test_remaining_never_exceeds_duration_plus_added_time(
    duration: int, script: list[tuple[str, float, int]], later: float
) -> None:
    timer, now, added = Timer.fresh(duration), T0, 0
    for action, wait, seconds in script:
        now += wait
        timer = _play(timer, action, now, seconds)
        added += seconds if action == "add" else 0
        for t in (now, now + later):
            assert timer.remaining_at(t) <= duration + added
        if not timer.running:
            assert timer.remaining_at(now) == timer.remaining_at(now + later)
        else:
            assert timer.remaining_at(now + later) == pytest.approx(timer.remaining_at(now) - later)
