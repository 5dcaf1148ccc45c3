"""Every language the site offers is complete, and the language never changes a decision.

English is the source; Spanish is the first other language. A language half done (a tier text, a
reason, a questionnaire text, an exercise text or an interface message without its words) fails here.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from backhome.core.library.check import check_library
from backhome.core.library.load import default_library, in_language
from backhome.core.model import Tier
from backhome.core.rules.triage import EMERGENCY_QUESTIONS, emergency_signs
from backhome.core.texts import QUESTIONNAIRES, english_texts, problems, text, texts
from backhome.core.words import LANGUAGES, reason_untranslated, reason_words, tier_text
from scripts import check_catalogs

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]


def test_the_core_offers_the_same_languages_as_the_site() -> None:
    from backhome.web.config import settings

    assert tuple(code for code, _ in settings.LANGUAGES) == LANGUAGES


def test_every_text_outside_the_exercise_files_has_every_language() -> None:
    assert problems() == []


def test_every_exercise_file_has_every_language() -> None:
    assert [p for p in check_library() if p.code.endswith("language") or "translation" in p.code] == []


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
@pytest.mark.parametrize("tier", list(Tier))
def test_every_tier_has_its_own_words_in_each_language(tier: Tier, lang: str) -> None:
    english, other = tier_text(tier), tier_text(tier, lang)
    assert other.title != english.title
    assert len(other.steps) == len(english.steps)
    assert all(step not in english.steps for step in other.steps)


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_combination_of_emergency_signs_reads_wholly_in_each_language(lang: str) -> None:
    for answers in itertools.product([False, True], repeat=len(EMERGENCY_QUESTIONS)):
        for finding in emergency_signs(dict(zip(EMERGENCY_QUESTIONS, answers, strict=True))):
            assert not reason_untranslated(finding.rule, finding.text, lang), finding


def test_a_reason_of_two_texts_of_one_rule_is_looked_up_text_by_text() -> None:
    first = emergency_signs({"bladder_change": True})[0]
    both = f"{first.text} {first.text}"
    spanish = reason_words(first.rule, first.text, "es")
    assert reason_words(first.rule, both, "es") == f"{spanish} {spanish}"


def test_a_reason_not_in_the_table_stays_english_rather_than_half_translated() -> None:
    first = emergency_signs({"bladder_change": True})[0]
    odd = f"{first.text} A sentence no table knows."
    assert reason_words(first.rule, odd, "es") == odd
    assert reason_untranslated(first.rule, odd, "es")


def test_english_and_a_language_not_offered_read_the_decision_words_unchanged() -> None:
    first = emergency_signs({"major_trauma": True})[0]
    assert reason_words(first.rule, first.text, "en") == first.text
    assert reason_words(first.rule, first.text, "de") == first.text
    assert tier_text(Tier.URGENT, "es-MX") == tier_text(Tier.URGENT, "es")


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_an_exercise_in_another_language_keeps_its_id_dose_and_rules(lang: str) -> None:
    for exercise in default_library().exercises:
        other = in_language(exercise, lang)
        assert (other.id, other.envelope, other.rules, other.contraindications) == (
            exercise.id,
            exercise.envelope,
            exercise.rules,
            exercise.contraindications,
        )
        assert other.name != exercise.name
        assert len(other.steps) == len(exercise.steps)
        assert [m.id for m in other.modes] == [m.id for m in exercise.modes]


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
@pytest.mark.parametrize("name", QUESTIONNAIRES)
def test_every_questionnaire_text_has_words_of_its_own_in_each_language(name: str, lang: str) -> None:
    english, other = english_texts(name), texts(name, lang)
    assert other.keys() == english.keys()
    same = [key for key in english if english[key] == other[key] and english[key] not in {"No"}]
    assert same == []


def test_the_startback_topics_are_labelled_as_our_adaptation_in_spanish() -> None:
    label = text("startback", "label", "es")
    assert "Adaptado" in label
    assert "STarT Back" in label


def test_every_interface_catalog_is_complete() -> None:
    assert check_catalogs.problems() == []


def test_a_catalog_with_an_untranslated_message_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backhome" / "locale" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "My plan"\nmsgstr "Mi plan"\n\nmsgid "History"\nmsgstr ""\n',
        "utf-8",
    )
    monkeypatch.setattr(check_catalogs, "LOCALE", tmp_path / "backhome" / "locale")
    (problem,) = check_catalogs.problems()
    assert "1 untranslated message" in problem


def test_a_language_offered_without_a_catalog_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check_catalogs, "LOCALE", tmp_path / "locale")
    assert check_catalogs.problems() == ["es: no catalog backhome/locale/es/LC_MESSAGES/django.po"]
