"""Tests for the signatory-list collation rules (DESIGN.md, "Alphabetised signatory list")."""

import ast
import sys
import threading
import time
from pathlib import Path

import icu
import pytest

from coalition.domain import collation
from coalition.domain.collation import (
    RULES_VERSION,
    collation_name,
    group_initial,
    sort_key,
    sort_names,
)


def _root_collator() -> icu.Collator:
    """Build the collator the rules describe for English, independently of the module."""
    collator = icu.Collator.createInstance(icu.Locale.getRoot())
    collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    return collator


def test_rules_version_is_an_int() -> None:
    assert isinstance(RULES_VERSION, int)
    assert RULES_VERSION >= 1


# Diacritics and case


def test_diacritics_do_not_decide_before_letters() -> None:
    expected = ["Aachen", "Ägypten", "Zürich"]
    assert sort_names(["Zürich", "Ägypten", "Aachen"], "de") == expected
    assert sort_names(["Zürich", "Ägypten", "Aachen"]) == expected


def test_accented_initial_sorts_by_its_letters() -> None:
    # By code point "É" (U+00C9) would come after "E" + anything.
    assert sort_names(["Elm", "Élan"]) == ["Élan", "Elm"]
    assert sort_key("Élan") < sort_key("Elm")


def test_accents_and_case_only_break_ties_deterministically() -> None:
    names = ["Écolo", "école", "Ecole", "ecole"]
    assert sort_names(names) == ["ecole", "Ecole", "école", "Écolo"]
    assert sort_names(reversed(names)) == ["ecole", "Ecole", "école", "Écolo"]
    assert sort_key("école") != sort_key("Ecole")


def test_lower_case_start_sorts_with_its_letters() -> None:
    names = ["Article 19", "amnesty", "Amnesty International"]
    assert sort_names(names) == ["amnesty", "Amnesty International", "Article 19"]
    assert group_initial("amnesty") == "A"


# Leading articles


def test_english_article_is_ignored() -> None:
    names = ["Save the Children", "The Rights Project", "Quaker Council"]
    assert sort_names(names) == ["Quaker Council", "The Rights Project", "Save the Children"]
    assert group_initial("The Rights Project") == "R"
    assert collation_name("The Rights Project") == "Rights Project"
    assert collation_name("THE RIGHTS PROJECT") == "RIGHTS PROJECT"


def test_the_is_ignored_in_any_statement_language() -> None:
    assert group_initial("The Rights Project", "fr") == "R"
    assert group_initial("The Rights Project", "ru") == "R"


def test_article_is_not_stripped_inside_words_or_names() -> None:
    assert collation_name("Theatre Workshop") == "Theatre Workshop"
    assert group_initial("Theatre Workshop") == "T"
    assert collation_name("Save the Children") == "Save the Children"
    assert sort_names(["Theatre Workshop", "Rights Watch"]) == ["Rights Watch", "Theatre Workshop"]


def test_article_alone_is_the_name() -> None:
    assert collation_name("The") == "The"
    assert group_initial("The") == "T"
    assert collation_name("  the  ") == "the"
    assert collation_name("The !!!") == "The"
    assert sort_names(["Tide", "The", "Tea"]) == ["Tea", "The", "Tide"]


def test_french_articles_depend_on_the_statement_language() -> None:
    assert group_initial("Les Amis de la Terre", "fr") == "A"
    assert collation_name("Les Amis de la Terre", "fr") == "Amis de la Terre"
    assert group_initial("Les Amis de la Terre", "en") == "L"
    names = ["Les Amis de la Terre", "Bureau", "Ligue des droits"]
    assert sort_names(names, "fr") == ["Les Amis de la Terre", "Bureau", "Ligue des droits"]
    assert sort_names(names, "en") == ["Bureau", "Les Amis de la Terre", "Ligue des droits"]


def test_elided_article_is_ignored() -> None:
    assert collation_name("L'Union syndicale", "fr") == "Union syndicale"
    assert collation_name("L’Union syndicale", "fr") == "Union syndicale"
    assert group_initial("L'Union syndicale", "fr") == "U"
    assert group_initial("L'Altra Europa", "it") == "A"
    assert group_initial("L'Union syndicale", "en") == "L"


@pytest.mark.parametrize(
    ("name", "language", "initial"),
    [
        ("Die Linke Stiftung", "de", "L"),
        ("Das Netzwerk", "de", "N"),
        ("El Colectivo", "es", "C"),
        ("Las Abuelas", "es", "A"),
        ("Gli Amici", "it", "A"),
        ("Il Manifesto", "it", "M"),
        ("Os Verdes", "pt", "V"),
        ("O Coletivo", "pt", "C"),
        ("De Groene Stad", "nl", "G"),
        ("Het Parool Fonds", "nl", "P"),
        ("Els Amics", "ca", "A"),
        ("L'Associació", "ca", "A"),
        ("Die Linke Stiftung", "en", "D"),
        ("De Groene Stad", "de", "D"),
    ],
)
def test_articles_per_language(name: str, language: str, initial: str) -> None:
    assert group_initial(name, language) == initial


def test_russian_has_no_articles() -> None:
    assert collation_name("Ла Страда", "ru") == "Ла Страда"


# Quotation marks and punctuation


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("«Memorial»", "Memorial"),
        ('"Viasna"', "Viasna"),
        ("'Ndrangheta Watch", "Ndrangheta Watch"),
        ("...and Justice", "and Justice"),
        ("„Dobro“", "Dobro"),
        ("“Open Society”", "Open Society"),
        ("‘Tribune’", "Tribune"),
        ("‹Helsinki›", "Helsinki"),
        ("「東京」", "東京"),
        ("* Starred Group", "Starred Group"),
        ("“The Rights Project”", "Rights Project"),
    ],
)
def test_leading_quotes_and_punctuation_are_ignored(name: str, expected: str) -> None:
    assert collation_name(name) == expected


def test_quoted_names_sort_by_their_letters() -> None:
    names = ['"Viasna"', "Nadia", "«Memorial»", "Lawyers", "'Ndrangheta Watch", "...and Justice"]
    assert sort_names(names) == [
        "...and Justice",
        "Lawyers",
        "«Memorial»",
        "Nadia",
        "'Ndrangheta Watch",
        '"Viasna"',
    ]
    assert group_initial("«Memorial»") == "M"
    assert group_initial("...and Justice") == "A"


def test_hyphen_counts_as_a_space() -> None:
    assert collation_name("Al-Haq") == "Al Haq"
    assert sort_names(["Alhambra", "Al Mezan", "Al-Haq"]) == ["Al-Haq", "Al Mezan", "Alhambra"]
    # Other dashes too.
    assert collation_name("Al\u2010Haq") == "Al Haq"
    assert collation_name("Rights – Now") == "Rights Now"


def test_punctuation_inside_a_name_separates_words() -> None:
    assert collation_name("Amnesty International, UK") == "Amnesty International UK"
    assert collation_name("Human Rights Watch (HRW)") == "Human Rights Watch HRW"
    # A comma must not push the entry after longer words, as ICU's own weights would.
    names = ["Amnesty International, UK", "Amnesty International Ireland"]
    assert sort_names(names) == ["Amnesty International Ireland", "Amnesty International, UK"]
    names = ["Human Rights Watchers", "Human Rights Watch (HRW)", "Human Rights Watch"]
    assert sort_names(names) == [
        "Human Rights Watch",
        "Human Rights Watch (HRW)",
        "Human Rights Watchers",
    ]


def test_apostrophes_and_full_stops_join_letters() -> None:
    assert collation_name("People's Health Movement") == "Peoples Health Movement"
    assert collation_name("U.N. Watch") == "UN Watch"
    assert collation_name("Col·lectiu Ronda", "ca") == "Collectiu Ronda"
    assert sort_names(["People Power", "People's Health"]) == ["People Power", "People's Health"]


def test_names_that_collate_alike_still_have_one_order() -> None:
    first, second = "Amnesty International UK", "Amnesty International, UK"
    assert collation_name(first) == collation_name(second)
    assert sort_key(first) != sort_key(second)
    assert sort_names([second, first]) == sort_names([first, second])


def test_whitespace_is_normalised() -> None:
    assert collation_name("  New \t Women\u00a0\u00a0Initiative \n") == "New Women Initiative"
    assert sort_key("New  Women Initiative") == sort_key("New Women Initiative")


# Word by word, numbers, scripts


def test_word_by_word_order() -> None:
    names = ["Newcastle Law Centre", "New Women Initiative", "Newark Aid"]
    assert sort_names(names) == ["New Women Initiative", "Newark Aid", "Newcastle Law Centre"]


def test_numbers_sort_by_value_and_before_letters() -> None:
    names = ["Amnesty", "10 Downing Trust", "2 Rivers"]
    assert sort_names(names) == ["2 Rivers", "10 Downing Trust", "Amnesty"]
    assert sort_names(["Article 19", "Article 2"]) == ["Article 2", "Article 19"]
    assert group_initial("2 Rivers") == "#"
    assert group_initial("10 Downing Trust") == "#"


LATIN = ["Amnesty", "Zero Waste"]
CYRILLIC = ["Вясна", "Мемориал"]


def test_english_puts_latin_before_cyrillic() -> None:
    assert sort_names(CYRILLIC[::-1] + LATIN[::-1], "en") == LATIN + CYRILLIC


@pytest.mark.parametrize("language", ["ru", "be", "uk"])
def test_cyrillic_languages_put_cyrillic_first(language: str) -> None:
    assert sort_names(LATIN[::-1] + CYRILLIC[::-1], language) == CYRILLIC + LATIN


def test_language_without_tailoring_puts_its_own_script_first() -> None:
    # Ossetian has no ICU tailoring; its script still comes first.
    assert sort_names(LATIN + CYRILLIC, "os") == CYRILLIC + LATIN


def test_belarusian_short_u_is_a_letter_of_its_own() -> None:
    names = ["Фонд", "Ўсход", "Ута", "Вясна"]
    # In Belarusian "Ў" follows "У" entirely; elsewhere it is "У" with a breve.
    assert sort_names(names, "be") == ["Вясна", "Ута", "Ўсход", "Фонд"]
    assert sort_names(names, "ru") == ["Вясна", "Ўсход", "Ута", "Фонд"]
    assert group_initial("Ўсход", "be") == "Ў"
    assert group_initial("Ўсход", "ru") == "У"


def test_group_initial_follows_the_language() -> None:
    assert group_initial("Ägypten", "de") == "A"
    assert group_initial("Ärzte ohne Grenzen", "sv") == "Ä"
    assert group_initial("ёлка", "ru") == "Е"
    assert group_initial("вясна", "be") == "В"
    assert group_initial("istanbul", "tr") == "İ"
    assert group_initial("東京") == "東"


# Override, blanks, bad languages


def test_sort_as_replaces_the_name() -> None:
    long_name = "Fédération internationale pour les droits humains"
    assert sort_key(long_name, sort_as="FIDH") < sort_key("Fund for Peace")
    assert sort_key(long_name) < sort_key("Fund for Peace")
    assert sort_key(long_name, sort_as="Zeta") > sort_key("Yale Law Clinic")
    assert group_initial(long_name, sort_as="FIDH") == "F"
    assert group_initial("Viasna", sort_as="Вясна") == "В"


def test_sort_as_is_normalised_and_blank_is_ignored() -> None:
    assert group_initial("Zed", sort_as="«The Apple»") == "A"
    assert sort_key("Zed", sort_as="   ") == sort_key("Zed")
    assert sort_key("Zed", sort_as="") == sort_key("Zed")
    assert sort_key("Zed", sort_as=None) == sort_key("Zed")


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "!!!", "«»"])
def test_blank_names_do_not_crash_and_sort_first(blank: str) -> None:
    key = sort_key(blank)
    assert isinstance(key, bytes)
    assert key < sort_key("0")
    assert key < sort_key("A")
    assert key < sort_key("\u0410")
    assert collation_name(blank) == ""
    assert group_initial(blank) == "#"


def test_blank_name_with_sort_as() -> None:
    assert sort_key("", sort_as="Apple") > sort_key("")


@pytest.mark.parametrize("language", ["xx-INVALID", "", "!!!", "en_GB", "12345678901234", "-"])
def test_unknown_language_falls_back_to_root(language: str) -> None:
    names = ["Мемориал", "Zürich", "Les Amis", "2 Rivers", "Ägypten"]
    assert sort_names(names, language) == sort_names(names, "en")
    for name in names:
        assert sort_key(name, language) == sort_key(name, "en")
    assert group_initial("Ägypten", language) == "A"


# Keys


def test_keys_are_bytes_and_compare_like_the_collator() -> None:
    collator = _root_collator()
    names = [
        "Zürich",
        "Ägypten",
        "Aachen",
        "Élan",
        "Elm",
        "école",
        "Ecole",
        "amnesty",
        "Amnesty International",
        "Article 19",
        "2 Rivers",
        "10 Downing Trust",
        "New Women Initiative",
        "Newcastle Law Centre",
        "Al Haq",
        "Alhambra",
        "Вясна",
        "Мемориал",
        "東京",
    ]
    for name in names:
        assert isinstance(sort_key(name), bytes)
    for first in names:
        for second in names:
            expected = collator.compare(collation_name(first), collation_name(second))
            if expected == 0:
                expected = collator.compare(first, second)
            actual = (sort_key(first) > sort_key(second)) - (sort_key(first) < sort_key(second))
            assert actual == expected, (first, second)


def test_ten_thousand_keys_are_fast() -> None:
    names = [f"«The Coalition» for Rights-{index} (Branch {index % 97})" for index in range(10_000)]
    started = time.perf_counter()
    keys = [sort_key(name, "fr") for name in names]
    elapsed = time.perf_counter() - started
    assert len(set(keys)) == len(names)
    assert elapsed < 1.0


def test_keys_agree_across_threads() -> None:
    names = [f"Organisation {index} «Ägypten»" for index in range(500)]
    expected = [sort_key(name, "be") for name in names]
    results: list[list[bytes]] = []

    def work() -> None:
        results.append([sort_key(name, "be") for name in names])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_module_imports_neither_flask_nor_sqlalchemy() -> None:
    source = Path(collation.__file__).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "flask" not in imported
    assert "sqlalchemy" not in imported
    assert imported - set(sys.stdlib_module_names) == {"icu"}
