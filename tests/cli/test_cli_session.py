"""``backhome session``: a guided session in the terminal, driven through stdin with a fake clock."""

from __future__ import annotations

import json
import time

from tests.builders import DANA, EXAMPLES, intake_doc
from tests.cli.helpers import FakeClock, run

DANA_JSON = json.dumps(DANA)  # programme: nerve glide (slider), press-up, cat-camel
SAME = "5\n4\n3\nn\nn\nn\n"  # back 5, leg 4, zone 3, no numbness, no weakness, no warning sign


def test_dana_finishes_a_whole_session_in_well_under_a_second() -> None:
    clock = FakeClock()
    started = time.perf_counter()
    result = run(
        "session",
        str(EXAMPLES / "disc-herniation-thigh-pain.json"),
        stdin="\n" + SAME + ("\n" + SAME) * 3,
        clock=clock,
    )
    assert time.perf_counter() - started < 1.0
    assert result.code == 0, result.out[-2000:]
    out = result.out
    assert "Exercise 1 of 3: Sciatic nerve glide (slider (gentlest))" in out
    assert "Exercise 2 of 3: Prone press-up" in out
    assert "rep 10 of 10" in out and "left side" in out and "right side" in out
    assert "Get ready" in out and "Hold [" in out
    assert out.count("Result: GREEN") == 3
    assert "=== Summary ===" in out and "done     Prone press-up: GREEN" in out
    # the press-up alone holds 10 x 10 s; the fake clock counted the waits
    assert clock.waited >= 100


def test_a_standard_input_intake_can_carry_the_answers_after_it() -> None:
    # the intake document is read first, line by line answers after it
    result = run("session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin="q\n")
    assert result.code == 0 and "You stopped the session" in result.out


def test_more_leg_pain_after_an_exercise_is_red_and_ends_the_session() -> None:
    worse = "5\n5\n3\nn\nn\nn\n"  # leg 4 -> 5: PM-12 (STRICT)
    result = run(
        "session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin="\n" + SAME + "\n" + worse
    )
    assert result.code == 3
    assert "Result: RED" in result.out
    assert "The session has ended for your safety" in result.out
    assert "PM-12" in result.out.split("=== Summary ===")[1]
    assert "Exercise 2 of 3" not in result.out


def test_symptoms_spreading_further_down_the_leg_end_the_session() -> None:
    spread = "5\n4\n4\nn\nn\nn\n"  # zone 3 -> 4: PM-10
    result = run(
        "session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin="\n" + SAME + "\n" + spread
    )
    assert result.code == 3 and "PM-10" in result.out


def test_a_small_back_pain_rise_that_settles_after_rest_is_amber_and_the_session_goes_on() -> None:
    clock = FakeClock()
    back_up = "6\n4\n3\nn\nn\nn\n"  # back 5 -> 6 with leg and zone unchanged
    stdin = "\n" + SAME + "\n" + back_up + "y\n" + ("\n" + SAME) * 2
    result = run("session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin=stdin, clock=clock)
    assert result.code == 0, result.out[-1500:]
    assert "Rest in a comfortable position for 5 minutes" in result.out
    assert "Result: AMBER" in result.out
    assert clock.waited >= 300


def test_a_warning_sign_before_the_session_stops_it_before_any_exercise() -> None:
    result = run("session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin="\n5\n4\n3\nn\nn\ny\n")
    assert result.code == 3
    assert "Exercise 1" not in result.out
    assert "safety questions" in result.out


def test_skipping_an_exercise_moves_on_and_shows_in_the_summary() -> None:
    stdin = "\n" + SAME + "s\n" + ("\n" + SAME) * 2
    result = run("session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin=stdin)
    assert result.code == 0
    assert "skipped  Sciatic nerve glide" in result.out


def test_ctrl_c_pauses_a_countdown_and_s_skips_the_exercise() -> None:
    stdin = "\n" + SAME + "\n" + "s\n" + ("\n" + SAME) * 2
    result = run(
        "session",
        str(EXAMPLES / "disc-herniation-thigh-pain.json"),
        stdin=stdin,
        clock=FakeClock(interrupt_at=3),
    )
    assert "Paused." in result.out
    assert "skipped  Sciatic nerve glide" in result.out


def test_it_hurts_stops_the_exercise_and_goes_straight_to_the_pain_check() -> None:
    stdin = "\n" + SAME + "h\n" + "5\n6\n3\nn\nn\nn\n"
    result = run("session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin=stdin)
    assert "Stopping this exercise" in result.out
    assert result.code == 3 and "Result: RED" in result.out


def test_a_wrong_answer_is_asked_again() -> None:
    stdin = "\n" + "eleven\n11\n5\n4\n3\nmaybe\nn\nn\nn\n" + "q\n"
    result = run("session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin=stdin)
    assert result.out.count("Please type a whole number from 0 to 10") == 2
    assert "Please type y for yes or n for no" in result.out
    assert result.code == 0


def test_input_that_ends_early_stops_cleanly_with_exit_1() -> None:
    result = run("session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), stdin="\n5\n")
    assert result.code == 1 and "input ended" in result.out


def test_an_emergency_gets_no_session_only_what_to_do_now() -> None:
    result = run("session", str(EXAMPLES / "saddle-numbness.json"))
    assert result.code == 0
    assert "GET EMERGENCY HELP NOW" in result.out and "no exercise session" in result.out


def test_monitored_mode_tolerates_a_one_point_leg_rise() -> None:
    # PM-12 MONITORED: leg +2 or leg > 5 is RED; +1 to 5 is not.
    up_one = "5\n5\n3\nn\nn\nn\n"
    stdin = "\n" + SAME + "\n" + up_one + ("\n" + "5\n5\n3\nn\nn\nn\n") * 2
    result = run(
        "session", str(EXAMPLES / "disc-herniation-thigh-pain.json"), "--monitoring", "monitored", stdin=stdin
    )
    assert result.code == 0, result.out[-1500:]
    assert "Result: RED" not in result.out


def test_an_invalid_intake_gets_no_session_and_exits_2() -> None:
    result = run("session", "-", stdin=json.dumps(intake_doc(age=-1)))
    assert result.code == 2 and "age" in result.err


def test_dana_runs_a_whole_session_in_spanish_with_the_same_programme() -> None:
    result = run(
        "session",
        "--lang",
        "es",
        str(EXAMPLES / "disc-herniation-thigh-pain.json"),
        stdin="\n" + SAME + ("\n" + SAME) * 3,
    )
    assert result.code == 0, result.out[-2000:]
    out = result.out
    assert "Sesión guiada de backhome: 3 ejercicios hoy." in out
    assert "Ejercicio 1 de 3: Deslizamiento del nervio ciático (Deslizamiento suave)" in out
    assert "Ejercicio 2 de 3: Extensión boca abajo" in out
    assert "repetición 10 de 10" in out and "lado izquierdo" in out and "Prepárese" in out
    assert out.count("Resultado: VERDE - bien") == 3
    assert "=== Resumen ===" in out and "hecho    Extensión boca abajo: VERDE" in out
    for english in ("Exercise 1", "Get ready", "Result:", "Summary", "Prone press-up", "Start position"):
        assert english not in out


def test_a_spanish_yes_to_a_warning_sign_stops_the_session_before_any_exercise() -> None:
    result = run(
        "session",
        "--lang",
        "es",
        str(EXAMPLES / "disc-herniation-thigh-pain.json"),
        stdin="\n5\n4\n3\nn\nn\ns\n",
    )
    assert result.code == 3
    assert "La sesión ha terminado por su seguridad." in result.out
    assert "Ejercicio 1 de 3" not in result.out
