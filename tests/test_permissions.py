"""One permission check: who may read and who may change a statement (coalition.security)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from coalition import security
from coalition.domain.errors import NotFound
from tests import factories

PACKAGE = Path(__file__).resolve().parent.parent / "coalition"


def test_own_organisation_reads_and_changes(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    colleague = factories.user("Rights Watch")
    made = factories.statement(lead)
    assert security.can_view(colleague, made) and security.can_manage(colleague, made)
    assert security.require_manage(colleague, made) is made
    assert security.viewable_statement(colleague, made.id) is made


def test_another_organisation_is_told_nothing(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    stranger = factories.user("Other Org")
    made = factories.statement(lead)
    assert not security.can_view(stranger, made)
    assert not security.can_manage(stranger, made)
    for check in (security.require_view, security.require_manage):
        with pytest.raises(NotFound) as refused:
            check(stranger, made)
        assert refused.value.fields == {"id": "not found"}
    with pytest.raises(NotFound):
        security.viewable_statement(stranger, made.id)
    with pytest.raises(NotFound):
        security.viewable_statement(lead, made.id + 1000)


def test_the_organisation_check_is_written_once() -> None:
    """No service compares an actor's organisation with a statement's by hand: they ask
    coalition.security, so co-leads and viewers change one function, not eight."""
    by_hand = re.compile(
        r"(actor|user|translator)\.organisation_id\s*[!=]=\s*\w+\.organisation_id"
        r"|statement\.organisation_id\s*[!=]=\s*(actor|user)\.organisation_id"
    )
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "security.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if by_hand.search(line)
    ]
    assert not offenders, offenders


def test_view_helpers_are_not_copied() -> None:
    """Lead pages find their statement and user through security.statement_or_404 and
    current_actor, not a private copy in each blueprint."""
    copies = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("views.py")
        if re.search(r"^def _user\(", path.read_text(encoding="utf-8"), re.M)
        or re.search(r"statement_for\(", path.read_text(encoding="utf-8"))
    ]
    assert not copies, copies
