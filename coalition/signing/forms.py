"""Signing forms: shape only; the services check the content and the life cycle."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from babel import Locale
from flask import current_app
from flask_babel import gettext
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from coalition.domain.collation import sort_key
from coalition.domain.translations import language_name, native_name
from coalition.forms import FlaskForm
from coalition.i18n import LazyText, current_language
from coalition.i18n import lazy_text as _l
from coalition.models import Statement
from coalition.signing.services import SignatureInput
from coalition.translations import services as translations

KINDS = [
    SelectChoice("organisation", _l("An organisation")),
    SelectChoice("individual", _l("An individual")),
]

VISIBILITIES = [
    SelectChoice("named", _l("Named in the published list")),
    SelectChoice("withheld", _l("Not named publicly: counted in the total only")),
]

# Groupings and pseudo-territories that are not countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


@functools.cache
def _country_pairs(language: str = "en") -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(language).territories
    pairs = [
        (code, str(name))
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    pairs.sort(key=lambda pair: sort_key(pair[1], language))
    return tuple(pairs)


def country_choices() -> list[SelectChoice]:
    """ISO 3166 codes named in the interface's language, alphabetised; the first choice
    is "none"."""
    return [SelectChoice("", _l("— Not shown —")), *_country_select(current_language())]


@functools.cache
def _country_select(language: str) -> tuple[SelectChoice, ...]:
    # Made once per language: every sign-on form built ~250 of them per request.
    return tuple(SelectChoice(code, name) for code, name in _country_pairs(language))


@functools.cache
def _country_names(language: str = "en") -> dict[str, str]:
    return dict(_country_pairs(language))


def country_name(code: str) -> str:
    """A two-letter code's name in the interface's language ("Royaume-Uni" in French, as
    the public page says); anything else as given."""
    # A dict made once per language: pages call this per row.
    return _country_names(current_language()).get(code, code)


def _text(value: str | None) -> str:
    return value or ""


def name_field(language: str) -> str:
    """The form field holding the display name in a translation language (name_pt_br)."""
    return "name_" + "".join(c if c.isalnum() else "_" for c in language.lower())


class SignerFields(FlaskForm):
    """The fields a partner and an open sign-on request share."""

    name = StringField(
        _l("Name as it should appear"),
        description=_l("Exactly as it will be printed in the list of signatories."),
    )
    kind = RadioField(_l("Signing as"), choices=KINDS, default="organisation")
    affiliation = StringField(
        _l("Affiliation (optional)"),
        description=_l(
            "For individuals: shown for identification only, e.g. “University of Oxford”."
        ),
    )
    country = SelectField(_l("Country (optional)"), choices=[], validate_choice=True)
    signer_name = StringField(
        _l("Signer's name"), description=_l("Private: only the lead sees it.")
    )
    signer_role = StringField(
        _l("Signer's role (optional)"), description=_l("e.g. Executive Director.")
    )
    signer_email = EmailField(
        _l("Signer's e-mail address"), description=_l("Private. The receipt is sent here.")
    )
    board_approved_on = DateField(
        _l("Date the board approved signing (optional)"), validators=[Optional()]
    )
    sort_as = StringField(
        _l("Sort as (optional)"),
        description=_l(
            "Only if the name should be filed under another word, e.g. "
            "“Bialiatski Ales” for “Ales Bialiatski”."
        ),
    )
    wants_updates = BooleanField(
        _l("Keep me informed: e-mail me the updates on this statement"),
        description=_l("Optional. Each e-mail has a link to stop them in one click."),
    )
    visibility = RadioField(_l("Public or not"), choices=VISIBILITIES, default="named")
    public_description = StringField(
        _l("Public description (optional)"),
        description=_l(
            "Shown after the count instead of your name, e.g. “a human rights group based in "
            "Belarus”. Write nothing that would identify you; leave it empty to be counted only."
        ),
    )

    # Translation languages with a name field (see with_names); none by default.
    name_languages: tuple[str, ...] = ()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def name_fields(self) -> list[tuple[str, Any]]:
        """(language, field) for each translation language's display name."""
        return [(tag, self[name_field(tag)]) for tag in self.name_languages]

    def fill_names(self, forms: dict[str, str]) -> None:
        """Show the signature's name forms in the per-language fields."""
        for tag, field in self.name_fields():
            field.data = forms.get(tag, "")

    def names(self) -> dict[str, object] | None:
        """The typed name forms; None without translation languages (keeps the previous)."""
        if not self.name_languages:
            return None
        return {tag: _text(field.data) for tag, field in self.name_fields()}

    def input(self, *, keep_contacts: bool = False) -> SignatureInput:
        """The submitted values; empty contact fields keep the previous ones on a change."""

        def contact(value: str | None) -> str | None:
            value = _text(value)
            return None if keep_contacts and not value.strip() else value

        return SignatureInput(
            name=_text(self.name.data),
            kind=self.kind.data or "organisation",
            affiliation=_text(self.affiliation.data),
            country=_text(self.country.data),
            signer_name=contact(self.signer_name.data),
            signer_role=contact(self.signer_role.data),
            signer_email=contact(self.signer_email.data),
            board_approved_on=self.board_approved_on.data or "",
            sort_as=_text(self.sort_as.data),
            names=self.names(),
            wants_updates=bool(self.wants_updates.data),
            public=self.visibility.data != "withheld",
            public_description=_text(self.public_description.data),
        )


class SignForm(SignerFields):
    logo = FileField(
        _l("Logo (optional)"),
        description=_l("PNG, JPEG or WebP, up to 1 MB. It is re-encoded and its metadata removed."),
    )
    remove_logo = BooleanField(_l("Remove the current logo"))
    submit = SubmitField(_l("Sign the statement"))

    def input(self, *, keep_contacts: bool = False) -> SignatureInput:
        data = super().input(keep_contacts=keep_contacts)
        upload = self.logo.data
        if upload is not None and bool(getattr(upload, "filename", None)):
            # One byte past the limit is enough to know it is too large.
            data.logo = upload.read(current_app.config["LOGO_MAX_BYTES"] + 1)
        data.remove_logo = bool(self.remove_logo.data)
        return data


F = TypeVar("F", bound=SignerFields)


def _name_label(tag: str) -> LazyText:
    # Lazy: the class is cached, the words are said in each request's language.
    return LazyText(
        lambda: gettext(
            "Name in %(language)s (optional)",
            language=language_name(tag, current_language(), capitalise=False),
        )
    )


def _name_help(tag: str) -> LazyText:
    return LazyText(
        lambda: gettext(
            "As it should appear in the %(language)s (%(native)s) list. "
            "Leave empty to use the name above.",
            language=language_name(tag, current_language(), capitalise=False),
            native=native_name(tag),
        )
    )


@functools.lru_cache(maxsize=256)
def with_names(form_class: type[F], languages: tuple[str, ...]) -> type[F]:
    """The form class with an optional display-name field per translation language."""
    if not languages:
        return form_class
    fields: dict[str, Any] = {
        name_field(tag): StringField(
            _name_label(tag),
            description=_name_help(tag),
            render_kw={"lang": tag},
        )
        for tag in languages
    }
    made: type[F] = type(
        f"{form_class.__name__}WithNames", (form_class,), {**fields, "name_languages": languages}
    )
    return made


def sign_form(statement: Statement, **kwargs: Any) -> SignForm:
    """The partner's sign form, with a name field for each of the statement's translations."""
    return with_names(SignForm, tuple(translations.languages(statement)))(**kwargs)


class OpenSignonForm(SignerFields):
    website = StringField(
        _l("Website"),
        description=_l("Your organisation's website: we check it matches your e-mail."),
    )
    # A honeypot: hidden from people, filled by bots that fill every field.
    fax_number = StringField(_l("Leave this field empty"))
    submit = SubmitField(_l("Ask to sign"))

    def input(self, *, keep_contacts: bool = False) -> SignatureInput:
        data = super().input()
        data.website = _text(self.website.data)
        return data


class WithheldOptionsForm(FlaskForm):
    """The statement's wording for signatories not named publicly, and who sees them."""

    wording_one = StringField(
        _l("Wording for one (optional)"),
        description=_l("e.g. “and {{count}} organisation that cannot be named for its safety”"),
    )
    wording_other = StringField(
        _l("Wording for several (optional)"),
        description=_l("e.g. “and {{count}} organisations that cannot be named for their safety”"),
    )
    hidden_from_staff = BooleanField(
        _l("Show our staff only the organisation name of a signatory not named publicly"),
        description=_l(
            "For the most sensitive cases: its signer, e-mail, country, logo and description "
            "are then shown to nobody in Coalition. This cannot be undone for this statement."
        ),
    )
    submit = SubmitField(_l("Save the wording"))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class SortAsForm(FlaskForm):
    sort_as = StringField(_l("Sort as"), description=_l("Leave empty to sort by the name itself."))
    submit = SubmitField(_l("Save"))


class OptionsForm(FlaskForm):
    open_signon = BooleanField(
        _l("Open sign-on: organisations without an invitation may ask to sign"),
        description=_l("They confirm their e-mail address, then you approve or reject each one."),
    )
    group_individuals = BooleanField(
        _l("List organisations first, then individuals"),
    )
    new_link = HiddenField()
    submit = SubmitField(_l("Save"))


class RecordForm(SignerFields):
    """A signature the lead records for a partner (signing.recording): the partner's own
    fields, as the signer gave them, plus what was approved, when, and the evidence."""

    invitation = SelectField(
        _l("Partner"),
        choices=[],
        validate_choice=True,
        description=_l(
            "A partner you invited, or a new one: it is then invited (without the invitation "
            "e-mail) at the signer's address, and the receipt carries its link."
        ),
    )
    revision = SelectField(
        _l("Revision the partner approved"),
        choices=[],
        validate_choice=True,
        description=_l(
            "An earlier revision counts like a partner's own signature of it: if the text has "
            "changed substantively since, the partner is asked to re-confirm."
        ),
    )
    approved_at = DateTimeLocalField(
        _l("When the partner approved"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("In the statement's time zone, as in the e-mail or your note of the call."),
    )
    evidence_text = TextAreaField(
        _l("The partner's message"),
        description=_l(
            "Paste the e-mail (with its sender and date) or write down the call: who, when, "
            "what was approved. Only your organisation sees it."
        ),
    )
    evidence_file = FileField(
        _l("Or attach it (optional)"),
        description=_l("PDF, PNG or JPEG, e.g. the e-mail printed to PDF or a scanned letter."),
    )
    submit = SubmitField(_l("Record the signature"))

    def input(self, *, keep_contacts: bool = False) -> SignatureInput:
        data = super().input(keep_contacts=keep_contacts)
        # "Keep me informed" is the signer's own choice: the lead cannot tick it for them.
        data.wants_updates = None
        return data


class ImportForm(FlaskForm):
    csv_file = FileField(
        _l("CSV file"),
        description=_l(
            "The columns of the signatories CSV (download it from this page to see them): "
            "name, signer_name and signer_email at least; kind, affiliation, country, "
            "signer_role, endorsed_revision, signed_at, named_publicly and public_description "
            "if you have them. Up to 1,000 lines, 1 MB."
        ),
    )
    note = TextAreaField(
        _l("Where the list comes from"),
        description=_l("e.g. “Sign-up sheet of the Vilnius meeting, 12 November”. Kept as "
                       "the evidence of every signature it records."),
    )
    submit = SubmitField(_l("Preview the import"))


class ImportConfirmForm(FlaskForm):
    fingerprint = HiddenField()
    submit = SubmitField(_l("Import the signatures"))
