"""Sort keys for alphabetised signatory lists: ICU collation plus index-style rules.

The order follows DESIGN.md ("Alphabetised signatory list"):

* Unicode Collation Algorithm (ICU) for the statement's language, root for an
  unknown tag; tertiary strength, so letters decide first, then accents, then
  case, and equal-looking names still sort deterministically.
* Leading quotation marks, punctuation and symbols are ignored, then one
  leading article ("The" in every language, plus the statement language's
  own), unless the article is the whole name.
* Word by word, as in a printed index: spaces count (ICU "non-ignorable"), and
  a space sorts before any letter.
* Punctuation inside a name: apostrophes, full stops and middle dots join
  ("People's" = "Peoples", "U.N." = "UN", "Col·lectiu" = "Collectiu"); any
  other punctuation or symbol, hyphens and dashes included, separates words
  like a space ("Al-Haq" = "Al Haq", "Amnesty International, UK" = "Amnesty
  International UK", "Human Rights Watch (HRW)" = "Human Rights Watch HRW").
  Left to ICU, a comma or bracket would weigh more than a space and break the
  word-by-word order.
* Numbers by value ("2 Rivers" before "10 Downing Trust"); digits sort before
  letters, as in ICU's root order.
* Scripts in the language's order: root puts Latin before Cyrillic; ru, be and
  uk tailorings put Cyrillic first, and a language with no tailoring gets its
  own script moved first.

A key is the collation key of the normalised name followed by the collation
key of the display name, so names that normalise alike ("The Rights Project",
"Rights Project") still have one stable order. ICU keys end in the only zero
byte they contain, so the concatenation compares first by the normalised name.
"""

import contextlib
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import icu

RULES_VERSION: int = 1

# Removed rather than turned into spaces, so they join the letters around them:
# ' ’ ‘ ` ´ ʼ . · ‧ (the middle dot is Catalan's l·l).
_JOINERS = "'\u2019\u2018`\u00b4\u02bc.\u00b7\u2027"

# Most names hold only letters, digits and spaces; only the other characters go
# through the (cached) per-character classification below.
_SPECIAL = re.compile(r"[^\w ]|[_" + re.escape(_JOINERS) + "]")
_LEADING = re.compile(r"\A(?:[^\w]|[_" + re.escape(_JOINERS) + "])+")

_APOSTROPHE = "['\u2019\u02bc]"

# Articles ignored at the start of a name, by primary language subtag; "the" is
# added for every language because English names turn up in any statement.
# Russian, Belarusian and Ukrainian have no articles.
_ARTICLES: dict[str, tuple[str, ...]] = {
    "en": (),
    "fr": ("le", "la", "les", "l'"),
    "de": ("der", "die", "das"),
    "es": ("el", "la", "los", "las"),
    "it": ("il", "lo", "la", "i", "gli", "le", "l'"),
    "pt": ("o", "a", "os", "as"),
    "nl": ("de", "het"),
    "ca": ("el", "la", "els", "les", "l'"),
}

# Scripts that are already ordered first in root, or are not one script.
_NO_REORDER = frozenset({"", "Latn", "Zyyy", "Zzzz", "Zinh"})

# A per-thread cache holds at most this many languages before it is emptied, so
# odd language tags cannot grow it without bound.
_CACHE_LIMIT = 64


@dataclass(frozen=True)
class _Rules:
    """Everything needed to collate names for one language."""

    collator: icu.Collator
    primary: icu.Collator
    locale: icu.Locale
    article: re.Pattern[str]


_local = threading.local()


def _parse_locale(language: str) -> icu.Locale:
    """Parse a BCP 47 tag, falling back to root for anything ICU refuses."""
    tag = language.strip().replace("_", "-")
    if not tag:
        return icu.Locale.getRoot()
    try:
        locale = icu.Locale.forLanguageTag(tag)
    except icu.ICUError:
        return icu.Locale.getRoot()
    return icu.Locale.getRoot() if locale.isBogus() else locale


def _configured(collator: icu.Collator, strength: int) -> icu.Collator:
    """Apply the attributes every signatory list relies on."""
    collator.setStrength(strength)
    # Numbers by value, so "2" < "10".
    collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    # Spaces must weigh for word-by-word order; some tailorings (th) shift them.
    collator.setAttribute(
        icu.UCollAttribute.ALTERNATE_HANDLING, icu.UCollAttributeValue.NON_IGNORABLE
    )
    collator.setAttribute(icu.UCollAttribute.NORMALIZATION_MODE, icu.UCollAttributeValue.ON)
    return collator


def _create_collator(locale: icu.Locale, strength: int) -> icu.Collator:
    """Create a collator for the locale, its own script first when ICU has no tailoring."""
    try:
        collator = icu.Collator.createInstance(locale)
    except icu.ICUError:
        collator = icu.Collator.createInstance(icu.Locale.getRoot())
        return _configured(collator, strength)
    untailored = collator.getLocale(icu.ULocDataLocaleType.ACTUAL_LOCALE).getName() == ""
    if untailored and locale.getLanguage() and not locale.getKeywordValue("colReorder"):
        # PyICU has no setReorderCodes, so ask for the reordering by locale keyword;
        # addLikelySubtags changes the locale in place, hence the copy.
        script = locale.getScript() or icu.Locale(locale.getName()).addLikelySubtags().getScript()
        if script not in _NO_REORDER:
            reordered = icu.Locale(locale.getName())
            reordered.setKeywordValue("colReorder", script)
            # Keep the untailored collator if ICU refuses the script as a reorder code.
            with contextlib.suppress(icu.ICUError):
                collator = icu.Collator.createInstance(reordered)
    return _configured(collator, strength)


def _article_pattern(language_subtag: str) -> re.Pattern[str]:
    """Match one leading article of the language (or "The") and what follows it."""
    words = ["the"]
    elided = []
    for article in _ARTICLES.get(language_subtag, ()):
        if article.endswith("'"):
            elided.append(re.escape(article[:-1]))
        else:
            words.append(re.escape(article))
    alternatives = [rf"(?:{'|'.join(words)}) "]
    if elided:
        alternatives.append(rf"(?:{'|'.join(elided)}){_APOSTROPHE} ?")
    return re.compile("(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def _build_rules(language: str) -> _Rules:
    """Build the collators and article pattern for a language tag."""
    locale = _parse_locale(language)
    return _Rules(
        collator=_create_collator(locale, icu.Collator.TERTIARY),
        primary=_create_collator(locale, icu.Collator.PRIMARY),
        locale=locale,
        article=_article_pattern(locale.getLanguage().lower()),
    )


def _rules(language: str) -> _Rules:
    """Return this thread's rules for a language; ICU collators are not shared across threads."""
    cache: dict[str, _Rules] | None = getattr(_local, "rules", None)
    if cache is None:
        cache = _local.rules = {}
    rules = cache.get(language)
    if rules is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        rules = cache[language] = _build_rules(language)
    return rules


@functools.lru_cache(maxsize=4096)
def _replacement(character: str) -> str:
    """Say what a non-alphanumeric character becomes: itself, a space or nothing."""
    if character in _JOINERS:
        return ""
    if character.isspace():
        return " "
    category = unicodedata.category(character)
    if category[0] in "LMN":
        return character
    if category[0] == "C":
        # Soft hyphens, zero-width and direction marks are invisible in the name.
        return ""
    return " "


def _tidy(text: str) -> str:
    """Collapse runs of whitespace to one space and trim; canonical composition too."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _clean(text: str) -> str:
    """Turn punctuation and symbols into spaces or nothing, then tidy the spaces."""
    return " ".join(_SPECIAL.sub(lambda match: _replacement(match.group()), text).split())


def _collation_name(name: str, rules: _Rules) -> str:
    """Normalise a name for collation with the given rules."""
    text = _LEADING.sub("", _tidy(name))
    match = rules.article.match(text)
    if match:
        rest = _clean(text[match.end() :])
        # "The" on its own, or followed only by punctuation, is the name itself.
        if rest:
            return rest
    return _clean(text)


def _subject(name: str, sort_as: str | None) -> str:
    """Pick what is collated: the override when it is set, otherwise the name."""
    return sort_as if sort_as is not None and sort_as.strip() else name


def sort_key(name: str, language: str = "en", sort_as: str | None = None) -> bytes:
    """Return the ICU sort key (memcmp-comparable bytes) for a signatory name."""
    rules = _rules(language)
    collated = _collation_name(_subject(name, sort_as), rules)
    get_key = rules.collator.getSortKey
    # The display name breaks ties, so equal collation names keep a stable order.
    return bytes(get_key(collated)) + bytes(get_key(_tidy(name)))


def collation_name(name: str, language: str = "en") -> str:
    """Return the normalised text that is collated for a name (articles and quotes gone)."""
    return _collation_name(name, _rules(language))


def group_initial(name: str, language: str = "en", sort_as: str | None = None) -> str:
    """Return the A-Z index heading for a name: its first letter upper-cased, or "#"."""
    rules = _rules(language)
    collated = _collation_name(_subject(name, sort_as), rules)
    if not collated or not collated[0].isalpha():
        return "#"
    upper = str(icu.UnicodeString(collated[0]).toUpper(rules.locale))[:1]
    base = unicodedata.normalize("NFD", upper)[:1]
    # "Ä" files under "A" in German but under its own heading in Swedish;
    # Belarusian "Ў" is a letter of its own, Russian "Ё" goes under "Е".
    if base != upper and base.isalpha() and rules.primary.compare(base, upper) == 0:
        return base
    return upper


def sort_names(names: Iterable[str], language: str = "en") -> list[str]:
    """Return the names in signatory-list order for the language."""
    return sorted(names, key=functools.partial(sort_key, language=language))
