"""Commands of `flask --app coalition`: thin wrappers over the services."""

from __future__ import annotations

import signal

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from coalition.domain.errors import DomainError
from coalition.extensions import db


def _fail(error: DomainError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--organisation", required=True, help="The lead organisation (created if new).")
@click.option("--password", required=True, help="At least 10 characters, not a common one.")
@click.option("--name", default="", help="The user's name.")
def create_user_command(email: str, organisation: str, password: str, name: str) -> None:
    """Create a lead user (and the organisation if it is new)."""
    from coalition.accounts.services import create_user

    try:
        user = create_user(email, password, organisation=organisation, name=name)
    except DomainError as error:
        _fail(error)
        return
    db.session.commit()
    click.echo(f"Created {user.email} in {user.organisation.name}.")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="cli", help="A label for the token.")
def create_token_command(email: str, name: str) -> None:
    """Create an API token for a lead user; the token is the last line printed."""
    from sqlalchemy import select

    from coalition.accounts.services import create_api_token
    from coalition.models import User

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    _, secret = create_api_token(user, name)
    db.session.commit()
    click.echo(f"API token for {user.email} (shown once, keep it safe):")
    click.echo(secret)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo data: a lead user and a statement in each state."""
    from coalition.demo import load_demo

    lines = load_demo()
    db.session.commit()
    for line in lines:
        click.echo(line)


def _run_sender(watch: bool, interval: float | None, mail: bool) -> None:
    """One pass, or a loop with --watch, of the outbox (when `mail`) and the webhook queue."""
    from coalition.mail import sender
    from coalition.webhooks import sender as webhooks

    if not watch:
        if mail:
            click.echo(sender.send_due())
        click.echo(webhooks.send_due())
        return
    stop: list[int] = []

    def ask_to_stop(signum: int, _frame: object) -> None:
        stop.append(signum)  # ends after the message in hand: nothing half-recorded

    def webhook_pass() -> str:
        done = webhooks.deliver_due()
        return done.report() if done.busy else ""

    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    seconds = interval or float(current_app.config["MAIL_POLL_SECONDS"])
    what = "the outbox and webhooks" if mail else "webhooks"
    click.echo(f"Sending {what} every {seconds:g} s (SIGTERM or Ctrl+C stops).")
    if mail:
        sender.watch(seconds, click.echo, stopping=lambda: bool(stop), also=[webhook_pass])
    else:
        sender.repeat(seconds, click.echo, webhook_pass, stopping=lambda: bool(stop))
    click.echo("Stopped.")


@click.command("send-mail")
@click.option("--watch", is_flag=True,
              help="Keep running, sending the outbox every --interval seconds (stop: SIGTERM).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between passes with --watch (default MAIL_POLL_SECONDS).")
@with_appcontext
def send_mail_command(watch: bool, interval: float | None) -> None:
    """Send what waits in the outbox (with no SMTP configured, print it to the log), and
    deliver due webhooks."""
    _run_sender(watch, interval, mail=True)


@click.command("send-webhooks")
@click.option("--watch", is_flag=True,
              help="Keep running, delivering every --interval seconds (stop: SIGTERM).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between passes with --watch (default MAIL_POLL_SECONDS).")
@with_appcontext
def send_webhooks_command(watch: bool, interval: float | None) -> None:
    """Deliver due webhooks only (send-mail delivers them too)."""
    _run_sender(watch, interval, mail=False)


@click.command("remind")
@with_appcontext
def remind_command() -> None:
    """Queue automatic reminders REMINDER_DAYS_BEFORE_DEADLINE days before deadlines (cron)."""
    from coalition.invitations.services import remind_due
    from coalition.mail.sender import send_due

    queued = remind_due()
    db.session.commit()
    click.echo(f"Queued {queued} reminder(s).")
    click.echo(send_due())


@click.command("publish-due")
@with_appcontext
def publish_due_command() -> None:
    """Record embargoes whose time has come and render their exports (run it from cron)."""
    from coalition.domain import formats
    from coalition.publishing import files
    from coalition.publishing.services import lift_due_embargoes

    lifted = lift_due_embargoes()
    for edition in lifted:
        # The first readers after an embargo come at once: have every export ready for them.
        for fmt in formats.every():
            files.cached_export(edition, fmt.name)
    db.session.commit()
    for edition in lifted:
        click.echo(f"Public now: {edition.statement.slug}, edition {edition.number}.")
    click.echo(f"{len(lifted)} embargo(es) lifted.")


@click.command("digest")
@with_appcontext
def digest_command() -> None:
    """Queue the daily digest for every lead user who turned it on (run it daily from cron)."""
    from coalition.followup.digest import send_digests
    from coalition.mail.sender import send_due

    sent, quiet = send_digests()
    db.session.commit()
    click.echo(f"Queued {sent} digest(s); {quiet} user(s) had nothing new.")
    click.echo(send_due())


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Copy the running SQLite database consistently to PATH (PostgreSQL: use pg_dump)."""
    import sqlite3
    from pathlib import Path

    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (docs/operations.md)."
        )
    target = Path(path)
    if target.exists():
        raise click.ClickException(f"{target} exists: choose a new file name.")
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise click.ClickException("The database is in memory: there is nothing to back up.")
    # The online backup API copies page by page under SQLite's own locking, so writers may
    # go on while it runs and the copy is a consistent snapshot.
    source = sqlite3.connect(source_path)
    destination = sqlite3.connect(str(target))
    try:
        with destination:
            source.backup(destination, pages=256)
    finally:
        destination.close()
        source.close()
    click.echo(f"Backed up {source_path} to {target}.")


def init_app(app: Flask) -> None:
    for command in (
        create_user_command,
        create_token_command,
        demo_command,
        send_mail_command,
        send_webhooks_command,
        backup_command,
    ):
        app.cli.add_command(command)
    app.cli.add_command(remind_command)
    app.cli.add_command(publish_due_command)
    app.cli.add_command(digest_command)
    from coalition.signing.commands import close_due_command, resort_command

    app.cli.add_command(close_due_command)
    app.cli.add_command(resort_command)
