"""The STarT Back topics ship in our own words (B6) and match the scoring's item order."""

from __future__ import annotations

from backhome.core.questionnaires import startback_topics
from tests.builders import CLINICAL_RULES


def test_the_startback_topics_load_with_eight_agree_items_and_five_bothersome_options() -> None:
    topics = startback_topics()
    assert len(topics.agree) == 8
    assert [o.value for o in topics.bothersome.options] == [
        "not_at_all",
        "slightly",
        "moderately",
        "very_much",
        "extremely",
    ]


def test_the_startback_wording_is_labelled_as_an_adaptation_not_the_validated_tool() -> None:
    label = startback_topics().label.lower()
    assert "adapted" in label and "not its validated wording" in label


def test_the_items_follow_the_topic_order_of_the_clinical_rules() -> None:
    rules = CLINICAL_RULES.read_text("utf-8")
    section = rules[rules.index("### 2.1") : rules.index("### 2.2")]
    numbered = [line for line in section.splitlines() if line[:2] in {f"{n}." for n in range(1, 9)}]
    assert len(numbered) == 8
    for item, line in zip(startback_topics().agree, numbered, strict=True):
        assert f"({item.topic})" in line, (item.topic, line)
