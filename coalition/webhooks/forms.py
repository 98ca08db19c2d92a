"""Webhook forms: shape only; the services check addresses and events."""

from __future__ import annotations

from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from coalition.domain.webhooks import DESCRIPTION_MAX, URL_MAX
from coalition.forms import FlaskForm, Limit
from coalition.i18n import lazy_text as _l
from coalition.models import WEBHOOK_EVENTS

EVENT_LABELS = {
    "signature.created": _l("Signature created"),
    "signature.replaced": _l("Signature replaced"),
    "signature.withdrawn": _l("Signature withdrawn"),
    "signature.reconfirmed": _l("Signature re-confirmed"),
    "statement.state_changed": _l("Statement state changed"),
    "edition.published": _l("Edition published"),
    "update.posted": _l("Update posted"),
}


class EventsField(SelectMultipleField):
    """The events, as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(FlaskForm):
    url = URLField(
        _l("Address (https://...)"),
        validators=[DataRequired(), Limit(URL_MAX, "exact")],
        description=_l("Where deliveries are sent: an https:// address on the internet."),
    )
    description = StringField(_l("Description (optional)"),
                              validators=[Limit(DESCRIPTION_MAX)])
    events = EventsField(
        _l("Events"),
        choices=[SelectChoice(event, EVENT_LABELS[event]) for event in WEBHOOK_EVENTS],
        validate_choice=False,  # the service names an unknown event
    )
    withheld_names = BooleanField(
        _l("Send the names of signatories not named publicly"),
        description=_l("Off: a signature not named publicly reaches this endpoint without "
                       "name or country, as on the public page."),
    )
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """A bare form for buttons that change state (CSRF only)."""

    submit = SubmitField(_l("Confirm"))
