"""The schedule the animateur sees: planned against real step times, the drift, and the suggestion."""

from __future__ import annotations

import json

from atelier_builders import NOW, apply_op, new_atelier

from app.domain.events import event_from_dict, event_to_dict
from app.domain.formats import FORMAT_1
from app.domain.operations import AddTime, GotoStep, NextStep, PauseTimer, StartTimer
from app.domain.roles import Role
from app.domain.rules import evolve
from app.domain.schedule import (
    Shortening,
    build_schedule,
    drift_label,
    suggest_shortenings,
    suggestion_text,
)
from app.domain.state import AtelierState
from app.domain.timer import Timer

ANIMATEUR = Role.REFERENT.value
MIN = 60.0
# Format #1: 10, 10, 10, 10, 35, 10, 5 minutes.
DURATIONS = [step.duration_minutes for step in FORMAT_1.steps]


def schedule_of(state: AtelierState, now: float):  # type: ignore[no-untyped-def]
    return build_schedule(state.deroule, state.step_history, state.step_index, state.timer, now)


def test_the_kit_durations_are_the_ones_these_tests_assume() -> None:
    assert DURATIONS == [10, 10, 10, 10, 35, 10, 5]


# -- the history -------------------------------------------------------------------------------


def test_the_atelier_starts_at_the_first_timer_start_not_at_steps_visited_while_setting_up() -> None:
    state = new_atelier(with_cards=False)
    apply_op(state, NextStep(), ANIMATEUR, NOW)
    apply_op(state, GotoStep(0), ANIMATEUR, NOW + 5)
    assert state.step_history == []
    assert schedule_of(state, NOW + 10).drift_s is None

    apply_op(state, StartTimer(), ANIMATEUR, NOW + 100)
    apply_op(state, PauseTimer(), ANIMATEUR, NOW + 200)
    apply_op(state, StartTimer(), ANIMATEUR, NOW + 300)  # a later start is not a new beginning
    apply_op(state, NextStep(), ANIMATEUR, NOW + 700)
    assert state.step_history == [(0, NOW + 100), (1, NOW + 700)]


def test_the_step_history_survives_the_log_and_the_snapshot() -> None:
    state = new_atelier(with_cards=False)
    log = [apply_op(state, StartTimer(), ANIMATEUR, NOW), apply_op(state, NextStep(), ANIMATEUR, NOW + 11 * MIN)]
    replayed = AtelierState.from_dict(json.loads(json.dumps(new_atelier(with_cards=False).to_dict())))
    for event in log:
        evolve(replayed, event_from_dict(json.loads(json.dumps(event_to_dict(event)))))
    assert replayed.step_history == state.step_history == [(0, NOW), (1, NOW + 11 * MIN)]
    assert AtelierState.from_dict(json.loads(json.dumps(state.to_dict()))).step_history == state.step_history


# -- planned against real ------------------------------------------------------------------------


def test_planned_times_add_the_kit_durations_from_the_real_start() -> None:
    state = new_atelier(with_cards=False)
    apply_op(state, StartTimer(), ANIMATEUR, NOW)
    apply_op(state, NextStep(), ANIMATEUR, NOW + 16 * MIN)  # step 1 overran by 6 minutes
    schedule = schedule_of(state, NOW + 16 * MIN)
    assert [step.planned_start for step in schedule.steps] == [
        NOW + sum(DURATIONS[:index]) * MIN for index in range(len(DURATIONS))
    ]
    first, second, third = schedule.steps[:3]
    assert (first.status, first.real_start, first.spent_s) == ("done", NOW, 16 * MIN)
    assert (second.status, second.real_start, second.start_delta_s) == ("current", NOW + 16 * MIN, 6 * MIN)
    assert (third.status, third.real_start, third.start_delta_s) == ("upcoming", None, None)


def test_a_late_step_change_makes_the_atelier_late_by_as_much() -> None:
    state = new_atelier(with_cards=False)
    apply_op(state, StartTimer(), ANIMATEUR, NOW)
    apply_op(state, NextStep(), ANIMATEUR, NOW + 16 * MIN)
    apply_op(state, StartTimer(), ANIMATEUR, NOW + 16 * MIN)
    schedule = schedule_of(state, NOW + 20 * MIN)
    assert schedule.drift_minutes == 6
    assert schedule.drift_label == "+6 min"


def test_moving_on_early_puts_the_atelier_ahead() -> None:
    state = new_atelier(with_cards=False)
    apply_op(state, StartTimer(), ANIMATEUR, NOW)
    apply_op(state, NextStep(), ANIMATEUR, NOW + 8 * MIN)
    apply_op(state, StartTimer(), ANIMATEUR, NOW + 8 * MIN)
    schedule = schedule_of(state, NOW + 9 * MIN)
    assert (schedule.drift_minutes, schedule.drift_label) == (-2, "−2 min")
    assert schedule.shortenings == ()
    assert schedule.suggestion == "2 min d'avance : l'étape en cours peut prendre un peu plus de temps."


def test_overtime_and_pauses_count_as_they_happen() -> None:
    state = new_atelier(with_cards=False)
    apply_op(state, StartTimer(), ANIMATEUR, NOW)
    assert schedule_of(state, NOW + 5 * MIN).drift_label == "à l'heure"
    assert schedule_of(state, NOW + 13 * MIN).drift_minutes == 3  # 3 minutes of overtime
    apply_op(state, PauseTimer(), ANIMATEUR, NOW + 5 * MIN)
    assert schedule_of(state, NOW + 9 * MIN).drift_minutes == 4  # paused 4 minutes, 5 still to run
    apply_op(state, StartTimer(), ANIMATEUR, NOW + 9 * MIN)
    apply_op(state, AddTime(120), ANIMATEUR, NOW + 10 * MIN)
    assert schedule_of(state, NOW + 10 * MIN).drift_minutes == 6


def test_an_unstarted_timer_counts_from_now() -> None:
    state = new_atelier(with_cards=False)
    apply_op(state, StartTimer(), ANIMATEUR, NOW)
    apply_op(state, NextStep(), ANIMATEUR, NOW + 10 * MIN)
    # The second step is still waiting for its timer, three minutes on.
    assert schedule_of(state, NOW + 13 * MIN).drift_minutes == 3


def test_the_suggestion_names_the_step_that_can_best_absorb_the_drift() -> None:
    state = new_atelier(with_cards=False)
    apply_op(state, StartTimer(), ANIMATEUR, NOW)
    apply_op(state, NextStep(), ANIMATEUR, NOW + 14 * MIN)
    apply_op(state, StartTimer(), ANIMATEUR, NOW + 14 * MIN)
    schedule = schedule_of(state, NOW + 14 * MIN)
    # Step 5 (35 min, index 4) has the most room.
    assert schedule.shortenings == (Shortening(4, 4),)
    assert schedule.suggestion == "Raccourcir l'étape 5 de 4 min."


# -- the suggestion rule ---------------------------------------------------------------------------


def test_one_step_absorbs_the_drift_when_it_can_the_one_with_most_room() -> None:
    assert suggest_shortenings(3, [(2, 10), (3, 10), (6, 5)]) == ([Shortening(2, 3)], 0)
    assert suggest_shortenings(5, [(2, 10), (5, 20)]) == ([Shortening(5, 5)], 0)


def test_a_step_never_goes_under_half_its_time_so_a_larger_drift_is_spread() -> None:
    cuts, uncovered = suggest_shortenings(12, [(3, 10), (5, 10), (6, 5)])
    assert cuts == [Shortening(3, 5), Shortening(5, 5), Shortening(6, 2)]
    assert uncovered == 0
    assert suggestion_text(12, tuple(cuts), uncovered) == (
        "Raccourcir l'étape 4 de 5 min, l'étape 6 de 5 min et l'étape 7 de 2 min."
    )


def test_what_the_steps_cannot_absorb_is_said() -> None:
    cuts, uncovered = suggest_shortenings(10, [(6, 5)])
    assert (cuts, uncovered) == ([Shortening(6, 2)], 8)
    assert suggestion_text(10, tuple(cuts), uncovered) == "Raccourcir l'étape 7 de 2 min. Il restera 8 min de retard."
    assert suggest_shortenings(4, []) == ([], 4)
    assert suggestion_text(4, (), 4).startswith("Aucune étape restante")


def test_no_suggestion_when_on_time() -> None:
    assert suggest_shortenings(0, [(3, 10)]) == ([], 0)
    assert suggestion_text(0, (), 0) == ""
    assert drift_label(29) == drift_label(-29) == "à l'heure"
    assert (drift_label(90), drift_label(-150)) == ("+2 min", "−3 min")


def test_the_schedule_reads_the_timer_the_server_owns() -> None:
    timer = Timer.fresh(600).start(NOW)
    history = [(0, NOW)]
    assert build_schedule(FORMAT_1, history, 0, timer, NOW + 60).drift_s == 0.0
