"""Signing commands: close statements whose deadline passed, recompute sort keys."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from coalition.domain import collation
from coalition.extensions import db


@click.command("close-due")
@with_appcontext
def close_due_command() -> None:
    """Close every open statement whose sign-on deadline has passed (run it from cron)."""
    from coalition.signing.services import close_due_statements

    closed = close_due_statements()
    db.session.commit()
    for statement in closed:
        deadline = statement.sign_deadline
        click.echo(f"Closed {statement.slug} (deadline {deadline:%Y-%m-%d %H:%M} UTC).")
    click.echo(f"{len(closed)} statement(s) closed.")


@click.command("resort")
@with_appcontext
@click.option("--all", "everything", is_flag=True,
              help="Recompute every key, not only those made under older collation rules.")
@click.option("--statement", "statement_id", type=int, default=None,
              help="Only this statement (e.g. after its language changed).")
def resort_command(everything: bool, statement_id: int | None) -> None:
    """Recompute signatory sort keys after the collation rules (or a language) changed."""
    from coalition.models import Statement
    from coalition.signing.services import resort

    statement = db.session.get(Statement, statement_id) if statement_id is not None else None
    if statement_id is not None and statement is None:
        raise click.ClickException(f"No statement {statement_id}.")
    count = resort(statement=statement, everything=everything)
    db.session.commit()
    click.echo(
        f"{count} sort key(s) recomputed (collation rules version {collation.RULES_VERSION})."
    )
