"""The interface's language: Flask-Babel, which locale a request gets, and dates in it.

The order (docs/translations.md, "The interface in other languages"):
1. a signed-in user's own setting (User.language, chosen on the account page);
2. the browser's Accept-Language, matched against SUPPORTED;
3. English.

The public pages of a statement are the exception: their words follow the language of the
text they show (?lang=, else the statement's language) when the interface has it, English
otherwise, never the browser. A page then reads in one language, and its address alone
decides its content, which its ETag and every shared cache rely on.

The catalogues live in coalition/locale (coalition/translations is the statement
translations feature, a different thing). Their .mo files are compiled by the install
(hatch_build.py), by the test suite and by scripts/i18n.sh; when one is missing the
interface falls back to English rather than failing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.lists import format_list
from flask import Flask, has_request_context, request
from flask_babel import LazyString, get_locale, get_translations, gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from coalition.catalogues import LOCALE_DIR
from coalition.domain.errors import DomainError, LanguageNames, Names, Said
from coalition.domain.translations import language_name
from coalition.extensions import babel, db
from coalition.models import Statement

DEFAULT_LOCALE = "en"
# Interface languages, each with its name written in itself (the account page's choices).
SUPPORTED: dict[str, str] = {"en": "English", "fr": "Français"}

# Public pages of one statement: their words follow the text's language (see above).
PUBLIC_TEXT_ENDPOINTS = frozenset(
    {
        "publishing.public_statement",
        "publishing.public_edition",
        "publishing.embed",
        "publishing.edition_embed",
        "publishing.preview",
    }
)
# Public pages of no statement in particular, cached by address: always the default.
PUBLIC_FIXED_ENDPOINTS = frozenset({"publishing.feed"})

# strftime formats the templates pass to local_time -> the CLDR pattern saying the same
# thing, so other languages get their own month and day names and word order.
_CLDR_PATTERNS = {
    "%-d %b %Y, %H:%M": "d MMM y, HH:mm",
    "%A %-d %B %Y, %H:%M": "EEEE d MMMM y, HH:mm",
    "%-d %B %Y": "d MMMM y",
    "%-d %b %Y": "d MMM y",
}

# Words the pure domain and the shared web module keep as plain English dicts (they may
# not import Flask-Babel); marked here so extraction puts them in the catalogue, and
# translated where they are shown. tests/test_i18n.py fails if one is missing.
DOMAIN_WORDS = (
    # coalition/domain/lifecycle.py LABELS
    lazy_gettext("Draft"),
    lazy_gettext("In review"),
    lazy_gettext("Open for signing"),
    lazy_gettext("Closed"),
    lazy_gettext("Published"),
    # coalition/web.py STATEMENT_TABS
    lazy_gettext("Overview"),
    lazy_gettext("Edit"),
    lazy_gettext("History"),
    lazy_gettext("Translations"),
    lazy_gettext("Partners"),
    lazy_gettext("Comments"),
    lazy_gettext("Signatories"),
    lazy_gettext("Co-leads"),
    lazy_gettext("Publish"),
    lazy_gettext("After publication"),
    lazy_gettext("Activity"),
    lazy_gettext("Settings"),
    # coalition/web.py ROLE_LABELS
    lazy_gettext("Admin"),
    lazy_gettext("Editor"),
    lazy_gettext("Viewer"),
    # coalition/domain/invitations.py RESPONSE_LABELS and invitations/views.py FILTER_LABELS
    lazy_gettext("All"),
    lazy_gettext("No answer"),
    lazy_gettext("Invited"),
    lazy_gettext("Mail sent"),
    lazy_gettext("Mail failed"),
    lazy_gettext("Opened"),
    lazy_gettext("Commented"),
    lazy_gettext("Signed"),
    lazy_gettext("Declined"),
    lazy_gettext("Revoked"),
    lazy_gettext("Expired"),
    # coalition/signing/services.py closed_reason(), shown to partners
    lazy_gettext("Signing has closed: the deadline has passed or the lead organisation closed it."),
    lazy_gettext("The statement has been published; signing is closed."),
    lazy_gettext("The statement is not open for signing yet."),
    # Signature.status, capitalised on the signatories page
    lazy_gettext("Live"),
    lazy_gettext("Superseded"),
    lazy_gettext("Withdrawn"),
    lazy_gettext("Retracted"),
    lazy_gettext("Unconfirmed"),
    lazy_gettext("Pending"),
    lazy_gettext("Rejected"),
    # coalition/domain/formats.py labels: the lead's download lists, the statement page's
    lazy_gettext("Word (DOCX)"),
    lazy_gettext("Plain text"),
    lazy_gettext("Standalone HTML"),
    lazy_gettext("Embeddable HTML fragment"),
    lazy_gettext("Signatories (CSV)"),
    lazy_gettext("Press kit (ZIP of all)"),
    lazy_gettext("A4, to print"),
    lazy_gettext("Word"),
    lazy_gettext("DOCX, to edit"),
    lazy_gettext("for e-mail"),
    lazy_gettext("HTML page"),
    lazy_gettext("Signatories"),
    lazy_gettext("HTML fragment"),
    lazy_gettext("to embed, after the embargo"),
    lazy_gettext("Press kit"),
    lazy_gettext("ZIP of all formats"),
)


class LazyText(LazyString):
    """Flask-Babel's lazy string, escaped in templates like any str.

    Flask-Babel's own has __html__, so Jinja and WTForms would print it unescaped: help
    text such as "Organisation Name <press@example.org>" would vanish into a tag.
    """

    def __getattribute__(self, name: str) -> Any:
        if name == "__html__":
            raise AttributeError(name)
        return super().__getattribute__(name)


def lazy_text(string: str, **variables: Any) -> LazyText:
    """lazy_gettext for form labels and help: said in each request's language, escaped."""
    return LazyText(gettext, string, **variables)


def select_locale() -> str:
    """The request's interface language (see the module docstring for the order)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if request.endpoint in PUBLIC_TEXT_ENDPOINTS:
        return _text_language()
    if request.endpoint in PUBLIC_FIXED_ENDPOINTS:
        return DEFAULT_LOCALE
    if current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "language", None)
        if chosen in SUPPORTED:
            return str(chosen)
    return request.accept_languages.best_match(list(SUPPORTED)) or DEFAULT_LOCALE


def _primary(tag: str | None) -> str:
    return (tag or "").strip().replace("_", "-").split("-")[0].lower()


def _text_language() -> str:
    """On a statement's public page: the language of the text shown, if the interface has it."""
    picked = _primary(request.args.get("lang"))
    if not picked:
        slug = (request.view_args or {}).get("slug")
        if slug:
            picked = _primary(
                db.session.scalar(select(Statement.language).where(Statement.slug == slug))
            )
    return picked if picked in SUPPORTED else DEFAULT_LOCALE


def current_language() -> str:
    """The language tag of the current interface ('en' outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def mail_language(statement: Any = None) -> str:
    """The language of a mail: a statement's own when the interface has it, since its
    readers (partners, signers) read that language; otherwise the current interface's."""
    if statement is not None:
        own = _primary(getattr(statement, "language", None))
        if own in SUPPORTED:
            return own
    return current_language() if has_request_context() else DEFAULT_LOCALE


def translate(message: Any) -> str:
    """A runtime string (a domain label, a DomainError, a `Said`) in the interface language.

    A DomainError or a `Said` built from values is formatted through the catalogue: its
    template (or plural form) is translated, then filled with its values written as the
    language writes them (lists of names, language names). Unknown strings come back
    unchanged: messages still built with f-strings stay in English rather than failing.
    """
    if message is None:
        return ""
    if isinstance(message, DomainError):
        if not message.said:
            return translate(message.message)
        return " ".join(translate(part) for part in message.said)
    if isinstance(message, Said):
        return _say(message)
    text = str(message)
    return gettext(text) if text else text


def _say(said: Said) -> str:
    catalogue = get_translations()
    if said.plural is not None:
        template = catalogue.ngettext(said.template, said.plural, said.count or 0)
    else:
        template = catalogue.gettext(said.template)
    if not said.values and said.count is None:
        return template
    language = current_language()
    values: dict[str, object] = {"num": said.count} if said.count is not None else {}
    for key, value in said.values.items():
        if isinstance(value, LanguageNames):
            value = Names(language_name(tag, language, capitalise=False) for tag in value)
        if isinstance(value, Names):
            value = format_list(list(value), locale=language)
        values[key] = value
    return template % values


def names_list(names: object) -> str:
    """Names joined as the interface language joins them: "A and B", "A, B et C"."""
    return str(format_list([str(name) for name in names], locale=current_language()))  # type: ignore[attr-defined]


def text_lang(tag: str | None) -> Markup:
    """` lang="…"` for an element holding text in another language than the page's
    (WCAG 3.1.2: a screen reader then reads a statement in its own language); nothing when
    the text is in the page's language."""
    if not tag or _primary(tag) == current_language():
        return Markup("")
    return Markup(' lang="%s"') % tag


def format_local(local: dt.datetime, fmt: str) -> str:
    """`local` (already in its zone) written in the interface language, for local_time.

    English keeps the strftime output the pages have always shown; other languages get
    Babel's CLDR names and order for the same pattern.
    """
    language = current_language() if has_request_context() else DEFAULT_LOCALE
    if language == DEFAULT_LOCALE:
        return local.strftime(fmt)
    pattern = _CLDR_PATTERNS.get(fmt, "d MMM y, HH:mm")
    return babel_format_datetime(local, pattern, tzinfo=local.tzinfo, locale=Locale(language))


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with the locale selector, and the template helpers."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(LOCALE_DIR))
    babel.init_app(app, locale_selector=select_locale)
    # {% trans %} blocks: whitespace and line breaks inside are collapsed, so the msgids
    # do not depend on how a template is indented. babel.cfg says the same for extraction.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(
        ui_language=current_language,
        ui_languages=SUPPORTED,
        text_lang=text_lang,
    )
    app.add_template_filter(translate, "translated")
    app.add_template_filter(names_list, "names")
