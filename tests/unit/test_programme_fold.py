"""The programme as one history (clinical-spec B27) and the clinician's authority over it (B26): the
fold of a person's changes, by example with the personas and by property over random histories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backhome.core.course import advance
from backhome.core.engine import decide
from backhome.core.library.load import default_library
from backhome.core.model import (
    NERVE_GLIDE,
    Context,
    DirectionalResults,
    Dose,
    Intake,
    Monitoring,
    Reason,
    Response,
    Tier,
)
from backhome.core.programme import (
    CLINICIAN,
    AddExercise,
    Change,
    Clearance,
    HeldBack,
    LadderStep,
    MonitoringSet,
    Override,
    Programme,
    RemoveExercise,
    Screened,
    SelfChecked,
    SetDose,
    Stop,
    StopRelease,
    change_card,
    etag,
    fold,
    template_conflicts,
)
from tests.builders import dana, make_intake, walt

rule = pytest.mark.rule
LIBRARY = default_library()
START = dt.datetime(2026, 11, 2, 9, 0)
TODAY = dt.date(2026, 12, 1)
THERAPIST = "Alex Morgan, PT"


def at(day: int, hour: int = 0) -> dt.datetime:
    return START + dt.timedelta(days=day, hours=hour)


def ids(programme: Programme) -> list[str]:
    return [i.exercise_id for i in programme.items]


def held(programme: Programme) -> dict[str, tuple[str, ...]]:
    return {h.exercise_id: h.rules for h in programme.held_back}


def dose(programme: Programme, exercise_id: str) -> Dose:
    item = programme.item(exercise_id)
    assert item is not None, f"{exercise_id} is not in the programme"
    return item.dose


def patient_texts(programme: Programme) -> list[str]:
    """Everything the patient can read about the programme: each item's and each hold's reasons."""
    return [
        *(r.text for i in programme.items for r in i.reasons),
        *(h.reason for h in programme.held_back),
    ]


def ruth(**changes: Any) -> Intake:
    """Ruth, 64, osteoporosis, pain into the calf: a balanced programme with the glide, EL-05 holds
    the flexion stretches and cat-camel does its dipping half only."""
    return make_intake(
        age=64, pain={"back": 4, "leg": 3}, distal_zone=3, history={"osteoporosis": True}, **changes
    )


def ruths_history() -> list[Change]:
    """The issue's scenario: a dose change, an added prone-lying, a removed glide, then EL-05 cleared."""
    return [
        Screened(at(0), ruth()),
        SetDose(
            at(1), THERAPIST, "prone-press-up", Dose(1, 6, 10, False), "Six to start with.", "Guarded ROM."
        ),
        AddExercise(at(1, 1), THERAPIST, "prone-lying", "Rest on your front first.", "Settles her."),
        RemoveExercise(at(1, 2), THERAPIST, NERVE_GLIDE, "We leave the nerve glide out for now.", "SLR neg."),
        Clearance(at(2), THERAPIST, "EL-05", "Your bone scan is reassuring.", "DEXA T -1.9"),
    ]


# --------------------------------------------------------------------------- B27: one history


@rule("B27", fires=True)
def test_a_clearance_keeps_every_edit_the_clinician_made_before_it() -> None:
    programme = fold(ruths_history(), LIBRARY, TODAY)

    assert programme.tier is Tier.PROCEED and "EL-05" in programme.clearances
    assert dose(programme, "prone-press-up") == Dose(1, 6, 10, False)
    assert "prone-lying" in ids(programme)
    assert NERVE_GLIDE not in ids(programme) and NERVE_GLIDE not in held(programme)
    assert [r.exercise_id for r in programme.removed] == [NERVE_GLIDE]
    # and what the clearance unlocks comes in: the flexion stretches, cat-camel with both phases
    assert {"single-knee-to-chest", "childs-pose"} <= set(ids(programme))
    assert dose(programme, "cat-camel").mode is None
    assert programme.held_edits == ()


@rule("B27", fires=True)
def test_the_change_card_and_the_plan_come_from_the_same_fold_and_agree() -> None:
    history = ruths_history()
    card = change_card(history, LIBRARY, TODAY, since=at(0))
    plan = fold(history, LIBRARY, TODAY)
    kinds = {line.exercise_id: line.kind for line in card.lines}

    assert card.programme == plan
    assert kinds[NERVE_GLIDE] == "removed" and kinds["prone-lying"] == "added"
    assert kinds["prone-press-up"] == "dose" and kinds["childs-pose"] == "back"
    for line in card.lines:
        item = plan.item(line.exercise_id)
        if line.kind in ("added", "back", "dose"):
            assert item is not None and item.dose == line.after
        else:
            assert item is None and line.after is None
        assert line.rules and line.reasons  # every line says which rule and why
    removal = next(line for line in card.lines if line.exercise_id == NERVE_GLIDE)
    assert removal.reasons == (Reason(CLINICIAN, "We leave the nerve glide out for now."),)


@rule("B27", fires=True)
def test_an_edit_a_new_screening_now_blocks_is_held_back_with_the_rule_and_comes_back_when_it_clears() -> (
    None
):
    history: list[Change] = [
        Screened(at(0), make_intake()),
        SetDose(at(1), THERAPIST, "childs-pose", Dose(1, 3, 20, False), "Hold a little longer.", ""),
        Screened(at(5), make_intake(history={"osteoporosis": True})),
    ]
    blocked = fold(history, LIBRARY, TODAY)

    assert "childs-pose" not in ids(blocked) and held(blocked)["childs-pose"] == ("EL-05",)
    [edit] = blocked.held_edits
    assert edit.edit == history[1] and edit.rules == ("EL-05",) and "fragile bones" in edit.reason

    cleared = fold([*history, Clearance(at(6), THERAPIST, "EL-05", "Bones checked.")], LIBRARY, TODAY)
    assert dose(cleared, "childs-pose") == Dose(1, 3, 20, False)
    assert cleared.held_edits == ()


@rule("B27", fires=True)
def test_a_new_self_check_changes_the_direction_but_not_the_clinicians_dose() -> None:
    history: list[Change] = [
        Screened(at(0), dana()),
        SetDose(at(1), THERAPIST, "prone-press-up", Dose(1, 8, 2, False), "Eight times is enough.", ""),
        SelfChecked(at(3), DirectionalResults(extension=Response.FAVOURABLE, flexion=Response.WORSE)),
    ]
    programme = fold(history, LIBRARY, TODAY)

    assert programme.bias == "extension" and "DPT-24" in held(programme)["childs-pose"]
    assert dose(programme, "prone-press-up").reps == 8


@rule("B27", fires=True)
def test_the_ladder_steps_from_the_clinicians_dose_and_a_new_screening_restarts_the_ladder_only() -> None:
    step_up = Dose(1, 10, 15, False)
    history: list[Change] = [
        Screened(at(0), dana()),
        SetDose(at(1), THERAPIST, "cat-camel", Dose(1, 6, 10, False), "Six slow rounds.", ""),
        LadderStep(at(4), "prone-press-up", "prone-press-up", step_up, "progress", ("DS-03",), ()),
    ]
    programme = fold(history, LIBRARY, TODAY)
    assert dose(programme, "prone-press-up") == step_up
    assert fold([*history, Clearance(at(5), THERAPIST, "EL-05", "n/a")], LIBRARY, TODAY).item(
        "prone-press-up"
    ) == programme.item("prone-press-up")

    again = fold([*history, Screened(at(6), dana())], LIBRARY, TODAY)
    assert dose(again, "prone-press-up") == LIBRARY["prone-press-up"].envelope.start_dose()
    assert dose(again, "cat-camel").reps == 6  # the clinician's dose survives the new screening


@rule("B27", fires=True)
def test_a_ladder_step_to_the_next_variant_is_the_exercise_done_now_and_clinician_edits_follow_it() -> None:
    variant = Dose(1, 2, 15, False)
    history: list[Change] = [
        Screened(at(0), make_intake()),
        LadderStep(
            at(3), "single-knee-to-chest", "double-knee-to-chest", variant, "progress", ("DS-04",), ()
        ),
        SetDose(at(4), THERAPIST, "double-knee-to-chest", Dose(1, 1, 20, False), "Once, held longer.", ""),
    ]
    item = fold(history, LIBRARY, TODAY).item("single-knee-to-chest")
    assert item is not None and item.exercise_id == "double-knee-to-chest"
    assert item.dose == Dose(1, 1, 20, False)


def test_the_ladder_reads_the_fold_and_a_flare_pause_ends_through_it() -> None:
    cat = dose(fold([Screened(at(0), dana())], LIBRARY, TODAY), "cat-camel")
    pause = Reason("PM-43", "Paused during the flare-up.")
    history: list[Change] = [
        Screened(at(0), dana()),
        LadderStep(at(3), "cat-camel", "cat-camel", cat, "suspend", ("PM-43",), (pause,)),
    ]
    paused = fold(history, LIBRARY, TODAY)
    assert "cat-camel" not in ids(paused) and paused.held("cat-camel") == HeldBack(
        "cat-camel", "suspended", ("PM-43",), pause.text
    )
    assert [(c.exercise_id, c.suspended, c.suspended_by) for c in paused.course][-1] == (
        "cat-camel",
        True,
        ("PM-43",),
    )

    course = advance(
        paused.course, [], [], today=TODAY, start=START.date(), library=LIBRARY, bias=paused.bias
    )
    step = next(s for s in course.steps if s.exercise_id == "cat-camel")
    back = LadderStep(at(20), "cat-camel", step.exercise_id, step.dose, step.action, step.rules, step.reasons)
    assert dose(fold([*history, back], LIBRARY, TODAY), "cat-camel") == cat


@rule("B27", fires=False)
def test_with_nothing_but_a_screening_the_programme_is_the_engines_decision() -> None:
    decision = decide(dana(), Context(), LIBRARY)
    programme = fold([Screened(at(0), dana())], LIBRARY, TODAY)

    assert programme.decision == decision
    assert [(i.exercise_id, i.dose) for i in programme.items] == [
        (p.exercise_id, p.dose) for p in decision.exercises
    ]
    assert held(programme) == {b.exercise_id: b.rules for b in decision.blocked}
    assert all(i.source == "engine" and i.rules and i.reasons for i in programme.items)
    assert programme.held_edits == () and programme.removed == ()


def test_a_change_dated_after_today_is_not_in_force_yet() -> None:
    history: list[Change] = [
        Screened(at(0), dana()),
        RemoveExercise(at(40), THERAPIST, "cat-camel", "From next week.", ""),
    ]
    assert "cat-camel" in ids(fold(history, LIBRARY, TODAY))


def test_the_private_note_never_reaches_the_patient() -> None:
    programme = fold(ruths_history(), LIBRARY, TODAY)
    card = change_card(ruths_history(), LIBRARY, TODAY, since=at(0))
    shown = [*patient_texts(programme), *(r.text for line in card.lines for r in line.reasons)]
    assert not any(note in text for text in shown for note in ("Guarded ROM", "SLR neg", "DEXA"))
    item = programme.item("prone-press-up")
    assert item is not None and [e.note for e in item.edits] == ["Guarded ROM."]


def test_a_history_out_of_order_or_naming_an_unknown_exercise_is_refused() -> None:
    with pytest.raises(ValueError, match="order"):
        fold([Screened(at(2), dana()), Screened(at(1), dana())], LIBRARY, TODAY)
    with pytest.raises(ValueError, match="unknown exercise"):
        fold([Screened(at(0), dana()), AddExercise(at(1), THERAPIST, "plank", "Core.")], LIBRARY, TODAY)
    with pytest.raises(ValueError, match="not a rule"):
        fold([Screened(at(0), dana()), Clearance(at(1), THERAPIST, "EL-99", "Cleared.")], LIBRARY, TODAY)
    with pytest.raises(ValueError, match="stop"):
        fold([Screened(at(0), dana()), Stop(at(1), "cat-camel", "EL-05", "Stopped.")], LIBRARY, TODAY)


def test_a_dose_outside_the_exercises_envelope_is_brought_inside_it() -> None:
    history: list[Change] = [
        Screened(at(0), dana()),
        SetDose(at(1), THERAPIST, "cat-camel", Dose(3, 50, 90, True), "More.", ""),
    ]
    envelope = LIBRARY["cat-camel"].envelope
    given_dose = dose(fold(history, LIBRARY, TODAY), "cat-camel")
    assert envelope.contains(given_dose)
    assert (given_dose.reps, given_dose.hold_s) == (envelope.reps.max, envelope.hold_s.max)


def test_a_dose_given_without_a_mode_keeps_the_mode_the_ladder_reached() -> None:
    env = LIBRARY[NERVE_GLIDE].envelope
    fewer = Dose(1, env.reps.min, env.hold_s.start, env.per_side)
    history: list[Change] = [
        Screened(at(0), dana()),
        LadderStep(at(15), NERVE_GLIDE, NERVE_GLIDE, env.start_dose("tensioner"), "progress", ("ND-03",), ()),
        SetDose(at(16), THERAPIST, NERVE_GLIDE, fewer, "Fewer each side.", ""),
    ]
    assert dose(fold(history, LIBRARY, TODAY), NERVE_GLIDE) == replace(fewer, mode="tensioner")


def test_the_monitoring_mode_a_clinician_sets_is_the_programmes() -> None:
    history: list[Change] = [
        Screened(at(0), dana()),
        MonitoringSet(at(1), THERAPIST, Monitoring.MONITORED, "You know your pain well.", ""),
    ]
    programme = fold(history, LIBRARY, TODAY)
    assert programme.monitoring is Monitoring.MONITORED
    assert programme.decision is not None and programme.decision.monitoring is Monitoring.MONITORED


# --------------------------------------------------------------------------- B30 stops, B26 authority


def dana_glide_stopped() -> list[Change]:
    return [
        Screened(at(0), dana()),
        Stop(at(3), NERVE_GLIDE, "PM-10", "The nerve glide spread your pain down your leg."),
    ]


@rule("B27", fires=True)
def test_a_stop_keeps_the_glide_out_on_later_days_and_through_a_clearance_until_it_is_released() -> None:
    stopped = dana_glide_stopped()
    later: list[Change] = [
        *stopped,
        Clearance(at(6), THERAPIST, "EL-05", "n/a"),
        AddExercise(at(7), THERAPIST, NERVE_GLIDE, "Try the glide again."),
    ]
    programme = fold(later, LIBRARY, TODAY)

    assert NERVE_GLIDE not in ids(programme)
    assert programme.held(NERVE_GLIDE) is not None and held(programme)[NERVE_GLIDE] == ("PM-10",)
    assert [e.edit for e in programme.held_edits] == [later[-1]]

    released = fold(
        [*later, StopRelease(at(20), NERVE_GLIDE, "DPT-24", "Your retest was fine.")], LIBRARY, TODAY
    )
    assert NERVE_GLIDE in ids(released) and released.held_edits == ()


def test_a_stop_returns_only_as_the_rule_that_stopped_it_says() -> None:
    stopped_on = TODAY - dt.timedelta(days=1)
    pain_up = Stop(
        dt.datetime.combine(stopped_on, dt.time(9)), "cat-camel", "PM-12", "Your back pain went up."
    )
    history: list[Change] = [Screened(at(0), dana()), pain_up]
    assert "cat-camel" not in ids(fold(history, LIBRARY, stopped_on))  # not today
    assert "cat-camel" in ids(fold(history, LIBRARY, TODAY))  # PM-12: back the next day

    spread = Stop(at(2), "prone-press-up", "PM-10", "Your pain spread down your leg.")
    ext_fine = DirectionalResults(extension=Response.FAVOURABLE, flexion=Response.NO_EFFECT)
    too_soon: list[Change] = [Screened(at(0), dana()), spread, SelfChecked(at(12), ext_fine)]
    assert held(fold(too_soon, LIBRARY, TODAY))["prone-press-up"] == ("PM-10",)
    retested: list[Change] = [Screened(at(0), dana()), spread, SelfChecked(at(17), ext_fine)]
    assert "prone-press-up" in ids(fold(retested, LIBRARY, TODAY))  # DPT-24's re-test after 14 days


@rule("B26", fires=True)
def test_a_clinician_override_of_the_pm_stop_lets_the_glide_back() -> None:
    history = [
        *dana_glide_stopped(),
        Override(at(5), THERAPIST, NERVE_GLIDE, "PM-10", "Assessed: the glide is fine at a slider.", "SLR -"),
    ]
    programme = fold(history, LIBRARY, TODAY)
    assert dose(programme, NERVE_GLIDE).mode == "slider" and programme.stops == ()


@rule("B26", fires=True)
def test_a_clinician_override_of_a_suspension_by_the_ladder_puts_the_exercise_back() -> None:
    suspend = LadderStep(
        at(9),
        NERVE_GLIDE,
        NERVE_GLIDE,
        LIBRARY[NERVE_GLIDE].envelope.start_dose("slider"),
        "suspend",
        ("ND-05",),
        (Reason("ND-05", "The glide is stopped after two bad sessions."),),
    )
    history: list[Change] = [Screened(at(0), dana()), suspend]
    assert held(fold(history, LIBRARY, TODAY))[NERVE_GLIDE] == ("ND-05",)
    review = Override(at(10), THERAPIST, NERVE_GLIDE, "ND-05", "Reviewed: carry on gently.", "")
    assert NERVE_GLIDE in ids(fold([*history, review], LIBRARY, TODAY))


@rule("B26", fires=True)
def test_an_override_of_el06_gives_a_stenosis_patient_the_press_up_with_the_clinicians_reason() -> None:
    walt_self_checked = walt(directional={"extension": "favourable"})
    before = fold([Screened(at(0), walt_self_checked)], LIBRARY, TODAY)
    assert held(before)["prone-press-up"] == ("EL-06",)

    override = Override(
        at(1),
        THERAPIST,
        "prone-press-up",
        "EL-06",
        "Assessed in clinic: extension eases his legs.",
        "Centralises",
    )
    programme = fold([Screened(at(0), walt_self_checked), override], LIBRARY, TODAY)
    item = programme.item("prone-press-up")

    assert item is not None and item.source == "override" and "EL-06" in item.rules
    assert "extension eases his legs" in next(r.text for r in item.reasons if r.rule == "EL-06")
    assert item.dose == LIBRARY["prone-press-up"].envelope.start_dose()
    assert programme.overrides == (override,)
    assert programme.tier is before.tier  # an override lifts a block, never the tier


@rule("B26", fires=True)
def test_an_override_of_one_rule_leaves_the_exercise_held_by_the_others() -> None:
    history: list[Change] = [
        Screened(at(0), walt()),
        Override(at(1), THERAPIST, "prone-press-up", "EL-06", "Extension is fine for him.", ""),
        AddExercise(at(2), THERAPIST, "prone-press-up", "Press-ups twice a day."),
    ]
    programme = fold(history, LIBRARY, TODAY)
    assert "prone-press-up" not in ids(programme)
    assert held(programme)["prone-press-up"] == ("DPT-21",)
    assert [e.rules for e in programme.held_edits] == [("DPT-21",)]

    both = fold(
        [*history, Override(at(3), THERAPIST, "prone-press-up", "DPT-21", "He prefers extension.", "")],
        LIBRARY,
        TODAY,
    )
    assert "prone-press-up" in ids(both) and both.held_edits == ()


@rule("B26", fires=False)
def test_no_clinician_action_lowers_an_emergency_tier_and_every_edit_waits_for_a_new_screening() -> None:
    emergency = dana(symptoms={"bladder_change": True})
    history: list[Change] = [
        Screened(at(0), dana()),
        SetDose(at(1), THERAPIST, "cat-camel", Dose(1, 6, 10, False), "Six rounds.", ""),
        Screened(at(2), emergency),
        AddExercise(at(3), THERAPIST, "prone-lying", "Lie on your front."),
        Override(at(3, 1), THERAPIST, "childs-pose", "DPT-20", "Fine.", ""),
        Clearance(at(3, 2), THERAPIST, "EL-05", "Cleared."),
        MonitoringSet(at(3, 3), THERAPIST, Monitoring.MONITORED, "Monitored."),
    ]
    programme = fold(history, LIBRARY, TODAY)

    assert programme.tier is Tier.EMERGENCY and not programme.prescribes
    assert programme.items == () and programme.held_back == ()
    assert {type(e.edit) for e in programme.held_edits} == {SetDose, AddExercise}
    assert all(e.rules for e in programme.held_edits)

    rescreened = fold([*history, Screened(at(4), dana())], LIBRARY, TODAY)
    assert rescreened.tier is Tier.PROCEED
    assert dose(rescreened, "cat-camel").reps == 6 and "prone-lying" in ids(rescreened)


@rule("B26", fires=False)
def test_an_override_or_edit_without_a_written_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="written reason"):
        fold(
            [Screened(at(0), walt()), Override(at(1), THERAPIST, "prone-lying", "EL-06", "  ", "")],
            LIBRARY,
            TODAY,
        )
    with pytest.raises(ValueError, match="clinician"):
        fold([Screened(at(0), walt()), RemoveExercise(at(1), "", "cat-camel", "Why.")], LIBRARY, TODAY)


@rule("B26", fires=False)
def test_an_override_of_a_rule_that_does_not_hold_the_exercise_changes_nothing() -> None:
    plain = fold([Screened(at(0), walt())], LIBRARY, TODAY)
    overridden = fold(
        [Screened(at(0), walt()), Override(at(1), THERAPIST, "prone-lying", "EL-04", "No fracture.", "")],
        LIBRARY,
        TODAY,
    )
    assert overridden.items == plain.items and overridden.held_back == plain.held_back


@rule("B27", fires=True)
def test_during_pregnancy_a_clinician_cannot_add_an_exercise_the_engine_never_considered() -> None:
    history: list[Change] = [
        Screened(at(0), make_intake(pregnant=True)),
        AddExercise(at(1), THERAPIST, "prone-on-elbows", "On your elbows."),
    ]
    programme = fold(history, LIBRARY, TODAY)
    assert programme.items == () and held(programme)["prone-on-elbows"] == ("EL-02",)


# --------------------------------------------------------------------------- templates, versions


def test_a_template_applied_to_walt_shows_each_block_it_meets_before_saving() -> None:
    template = [
        AddExercise(at(1), THERAPIST, "prone-press-up", "Press-ups for your back.", "Template: lumbar"),
        SetDose(at(1), THERAPIST, "childs-pose", Dose(1, 3, 20, False), "Hold a little longer.", ""),
    ]
    conflicts = template_conflicts([Screened(at(0), walt())], template, LIBRARY, TODAY)
    assert [(c.edit.exercise_id, c.rules) for c in conflicts] == [("prone-press-up", ("DPT-21", "EL-06"))]
    assert "spinal canal" in conflicts[0].reason


def test_a_stale_form_is_told_apart_by_the_programmes_tag_and_the_card_shows_what_changed() -> None:
    opened: list[Change] = [Screened(at(0), dana())]
    tag = etag(fold(opened, LIBRARY, TODAY))
    assert etag(fold(list(opened), LIBRARY, TODAY)) == tag  # the same programme, the same tag

    tab_a = SetDose(at(1), THERAPIST, "prone-press-up", Dose(1, 10, 30, False), "Hold for 30 s.", "")
    saved = [*opened, tab_a]
    assert etag(fold(saved, LIBRARY, TODAY)) != tag  # tab B's form, opened before, is stale
    card = change_card(saved, LIBRARY, TODAY, since=opened[-1].at)
    assert [(line.exercise_id, line.kind, line.after) for line in card.lines] == [
        ("prone-press-up", "dose", Dose(1, 10, 30, False))
    ]


# --------------------------------------------------------------------------- properties

INTAKES: tuple[Intake, ...] = (
    dana(),
    walt(),
    ruth(),
    make_intake(),
    make_intake(pregnant=True),
    make_intake(
        history={"vertebral_fracture": True, "lumbar_surgery": "recent"}, distal_zone=3, pain={"leg": 3}
    ),
    make_intake(pain={"back": 8, "leg": 2}, distal_zone=2),
    dana(symptoms={"bladder_change": True}),
    walt(symptoms={"fever": True}),
)
EXERCISES = tuple(LIBRARY)
RULES = ("EL-02", "EL-03", "EL-04", "EL-05", "EL-06", "DPT-20", "DPT-21", "DPT-24", "PM-10", "PM-12")
STOP_RULES = ("PM-10", "PM-11", "PM-12", "PM-13", "PM-14")
responses = st.none() | st.sampled_from(list(Response))
doses = st.builds(
    Dose,
    st.integers(0, 4),
    st.integers(0, 60),
    st.integers(0, 120),
    st.booleans(),
    st.sampled_from([None, "slider", "tensioner", "extension_only"]),
)
exercise = st.sampled_from(EXERCISES)
words = st.sampled_from(["Because.", "After assessment.", "As we agreed."])
now = st.just(START)  # replaced by the history's own times below

kinds = st.one_of(
    st.builds(Screened, now, st.sampled_from(INTAKES)),
    st.builds(SelfChecked, now, st.builds(DirectionalResults, responses, responses)),
    st.builds(
        lambda e, v, d, a, r: LadderStep(START, e, v, d, a, ("DS-03",), r),
        exercise,
        exercise,
        doses,
        st.sampled_from(["progress", "hold", "regress", "suspend"]),
        st.sampled_from([(), (Reason("DS-03", "A step."),)]),
    ),
    st.builds(SetDose, now, st.just(THERAPIST), exercise, doses, words, words),
    st.builds(AddExercise, now, st.just(THERAPIST), exercise, words, words, st.none() | doses),
    st.builds(RemoveExercise, now, st.just(THERAPIST), exercise, words, words),
    st.builds(Clearance, now, st.just(THERAPIST), st.sampled_from(RULES[:5]), words, words, st.booleans()),
    st.builds(Override, now, st.just(THERAPIST), exercise, st.sampled_from(RULES), words, words),
    st.builds(Stop, now, exercise, st.sampled_from(STOP_RULES), words),
    st.builds(StopRelease, now, exercise, st.sampled_from(STOP_RULES), words),
    st.builds(MonitoringSet, now, st.just(THERAPIST), st.sampled_from(list(Monitoring)), words, words),
)


@st.composite
def histories(draw: st.DrawFn) -> list[Change]:
    """A screening first, then any changes, one a day or so, in order."""
    changes: list[Change] = [Screened(START, draw(st.sampled_from(INTAKES)))]
    for n, change in enumerate(draw(st.lists(kinds, max_size=14)), start=1):
        changes.append(_at(change, START + dt.timedelta(hours=8 * n)))
    return changes


def _at(change: Change, when: dt.datetime) -> Change:
    return replace(change, at=when)


def _last_clinician(changes: Sequence[Change], plan: str) -> SetDose | AddExercise | RemoveExercise | None:
    """The latest clinician edit of one exercise (edits name the plan exercise in these histories,
    unless a ladder step moved it to a variant, which the property skips)."""
    found = None
    for change in changes:
        if isinstance(change, SetDose | AddExercise | RemoveExercise) and change.exercise_id == plan:
            found = change
    return found


PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@rule("B27", fires=True)
@PROPERTY
@given(histories())
def test_folding_is_deterministic(history: list[Change]) -> None:
    assert fold(history, LIBRARY, TODAY) == fold(list(history), LIBRARY, TODAY)


@PROPERTY
@given(histories())
def test_every_dose_is_inside_its_exercises_envelope(history: list[Change]) -> None:
    for item in fold(history, LIBRARY, TODAY).items:
        exercise = LIBRARY[item.exercise_id]
        assert exercise.envelope.contains(item.dose)
        assert item.dose.mode is None or item.dose.mode in {m.id for m in exercise.modes}
        assert item.rules and item.reasons, f"{item.exercise_id} has no rule or reason"


@rule("B26", fires=True)
@PROPERTY
@given(histories())
def test_a_safety_block_always_wins_while_it_holds(history: list[Change]) -> None:
    programme = fold(history, LIBRARY, TODAY)
    assert programme.decision is not None
    if not programme.decision.tier.prescribes:
        assert programme.items == ()
        return
    overridden = {(o.exercise_id, o.rule) for o in programme.overrides}
    holding = {
        b.exercise_id
        for b in programme.decision.blocked
        if any((b.exercise_id, r) not in overridden for r in b.rules)
    }
    stopped = {s.exercise_id for s in programme.stops}
    for item in programme.items:
        assert item.plan_exercise_id not in holding and item.exercise_id not in holding
        assert item.plan_exercise_id not in stopped
    # and the tier is the engine's for the latest screening and clearances: no clinician lowers it
    screening = next(c for c in reversed(history) if isinstance(c, Screened))
    if not decide(screening.intake, Context(), LIBRARY).tier.prescribes:
        assert not programme.prescribes


@rule("B27", fires=True)
@PROPERTY
@given(histories())
def test_a_clinician_edit_is_never_lost_unless_a_later_clinician_change_removes_it(
    history: list[Change],
) -> None:
    programme = fold(history, LIBRARY, TODAY)
    # An edit naming the variant a ladder step moved to reads as an edit of its plan exercise: those
    # pairs are left to the example tests, this property reads the edits by the ids they name.
    variants = {
        e
        for c in history
        if isinstance(c, LadderStep) and c.exercise_id != c.plan_exercise_id
        for e in (c.exercise_id, c.plan_exercise_id)
    }
    for plan in EXERCISES:
        last = _last_clinician(history, plan)
        if last is None or plan in variants:
            continue
        in_items = programme.item(plan)
        kept = [e.edit for e in programme.held_edits] + [e for i in programme.items for e in i.edits]
        if isinstance(last, RemoveExercise):
            assert in_items is None or in_items.plan_exercise_id != plan
        else:
            assert last in kept, f"{type(last).__name__} of {plan} was lost"


@rule("B27", fires=True)
@PROPERTY
@given(histories(), st.integers(0, 15))
def test_the_change_card_always_agrees_with_the_plan(history: list[Change], cut: int) -> None:
    since = history[min(cut, len(history) - 1)].at
    card = change_card(history, LIBRARY, TODAY, since)
    assert card.programme == fold(history, LIBRARY, TODAY)
    for line in card.lines:
        item = card.programme.item(line.exercise_id)
        in_plan = item is not None and item.plan_exercise_id == line.exercise_id
        assert in_plan == (line.kind in ("added", "back", "dose"))
        assert line.after == (item.dose if in_plan and item is not None else None)
        if line.kind == "held_back":
            assert card.programme.held(line.exercise_id) is not None
    # and nothing that changed is missing from the card
    before = fold([c for c in history if c.at <= since], LIBRARY, TODAY)
    plan = {i.plan_exercise_id: (i.exercise_id, i.dose) for i in card.programme.items}
    was = {i.plan_exercise_id: (i.exercise_id, i.dose) for i in before.items}
    assert {line.exercise_id for line in card.lines} == {
        p for p in {*plan, *was} if plan.get(p) != was.get(p)
    }
