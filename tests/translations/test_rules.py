"""The pure rules: when a translation is current, tags, and a language's list order."""

from __future__ import annotations

import pytest

from coalition.domain import translations as rules
from coalition.domain.integrity import RevisionMark

MARKS = [RevisionMark(1, True), RevisionMark(2, False), RevisionMark(3, True),
         RevisionMark(4, False)]


@pytest.mark.parametrize(
    ("source_revision", "current", "expected"),
    [
        (None, 4, "missing"),
        (1, 1, "current"),
        (1, 2, "current"),  # revision 2 was a typo fix
        (1, 3, "stale"),  # revision 3 was substantive
        (2, 4, "stale"),
        (3, 4, "current"),
        (4, 4, "current"),
    ],
)
def test_status(source_revision: int | None, current: int, expected: str):
    marks = [m for m in MARKS if m.number <= current]
    assert rules.status(source_revision, marks, current) == expected


@pytest.mark.parametrize(
    ("tag", "normal"),
    [("RU", "ru"), ("pt_br", "pt-BR"), ("sr-latn", "sr-Latn"), ("es-419", "es-419"),
     ("zh-hant-tw", "zh-Hant-TW")],
)
def test_normalise_tag(tag: str, normal: str):
    assert rules.is_tag(tag)
    assert rules.normalise_tag(tag) == normal


@pytest.mark.parametrize("tag", ["", "r", "russian language", "<script>", "x" * 40, "ru--RU"])
def test_not_tags(tag: str):
    assert not rules.is_tag(tag)


def test_order_uses_name_forms_and_each_languages_collation():
    entries = [
        rules.Entry(1, "Viasna", sort_as=None),
        rules.Entry(2, "Amnesty International"),
        rules.Entry(3, "Ales Bialiatski", individual=True, sort_as="Bialiatski Ales"),
        rules.Entry(4, "Zeta"),
    ]
    forms = {1: "Вясна", 3: "Алесь Бяляцкі"}
    be = rules.order(entries, forms, "be")
    assert [name for _, name in be] == ["Алесь Бяляцкі", "Вясна", "Amnesty International", "Zeta"]
    # Without a form the "sort as" of the own name applies.
    en = rules.order(entries, {}, "en")
    assert [name for _, name in en] == ["Amnesty International", "Ales Bialiatski", "Viasna",
                                        "Zeta"]
    grouped = rules.order(entries, forms, "be", group_individuals=True)
    assert [name for _, name in grouped][-1] == "Алесь Бяляцкі"


def test_language_names():
    assert rules.language_name("be") == "Belarusian"
    assert rules.native_name("be") == "Беларуская"
    assert rules.native_name("ru") == "Русский"
    assert rules.language_name("qq") == "qq"
