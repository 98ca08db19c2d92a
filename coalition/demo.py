"""Demo data: a lead organisation with a statement in each state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from coalition.accounts.services import create_user
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import User
from coalition.publishing.demo import load_publishing_demo
from coalition.translations.demo import load_translations_demo

DEMO_EMAIL = "lead@example.org"
DEMO_PASSWORD = "coalition-demo-2026"  # noqa: S105 - published in the README for local trials
DEMO_ORGANISATION = "Rights Watch International"

BODY = """We, the undersigned organisations, call on the authorities to release \
Ales Bialiatski immediately and unconditionally.

Mr Bialiatski, founder of the Viasna Human Rights Centre and Nobel Peace Prize \
laureate, has been detained since July 2021 for his peaceful human rights work.

We urge the authorities to:

- release all those detained for exercising their rights;
- end the harassment of human rights defenders;
- allow independent monitors to visit places of detention.

We stand in solidarity with everyone who defends human rights at great personal risk.
"""

STATEMENTS = [
    ("Release human rights defender Ales Bialiatski now", "open"),
    ("Protect journalists covering the elections", "review"),
    ("End the use of spyware against civil society", "draft"),
    ("Joint call for an independent inquiry into the Rivertown protests", "closed"),
]


def demo_user() -> User:
    """The demo lead user, created on first use."""
    user = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is None:
        user = create_user(
            DEMO_EMAIL, DEMO_PASSWORD, organisation=DEMO_ORGANISATION, name="Dana Lead"
        )
    return user


def load_demo() -> list[str]:
    """Create the demo organisation, user and statements (idempotent); returns lines to print."""
    user = demo_user()
    existing = {s.title for s in drafting.organisation_statements(user)}
    for title, state in STATEMENTS:
        if title in existing:
            continue
        statement = drafting.create_statement(user, title=title, body=BODY)
        drafting.save_revision(
            user,
            statement,
            body=BODY.replace("immediately", "immediately", 1).replace(
                "We stand in solidarity", "We stand in full solidarity"
            ),
            base_revision=1,
            note="Stronger closing line",
        )
        if state in ("review",):
            drafting.change_state(user, statement, "review")
        if state in ("open", "closed"):
            deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
            drafting.change_state(
                user, statement, "open", sign_deadline=deadline, set_deadline=True
            )
        if state == "closed":
            drafting.change_state(user, statement, "closed")
    db.session.flush()
    published = load_publishing_demo(user)
    translated = load_translations_demo(user)
    # Counted from the dashboard's own list, so the figure is the one the lead then sees.
    total = len(drafting.organisation_statements(user))
    return [
        *published,
        *translated,
        f"Demo data ready: {total} statements on the dashboard "
        f"({total - len(existing)} added now).",
        f"Log in at http://127.0.0.1:5000/login as {DEMO_EMAIL} with password {DEMO_PASSWORD}",
    ]
