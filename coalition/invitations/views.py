"""Invitation pages: the lead's partner list, comments and outbox; the partner's page at /i/."""

from __future__ import annotations

import csv
import io
import zoneinfo
from dataclasses import dataclass, field

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response

from coalition import roster, withheld
from coalition.domain.errors import DomainError, NotFound, StaleRevision
from coalition.domain.exports import escape_csv_cell
from coalition.domain.invitations import (
    NO_ANSWER,
    RESPONSE_LABELS,
    BulkList,
    locate_paragraph,
    parse_bulk_csv,
    parse_bulk_lines,
)
from coalition.domain.invitations import Response as ResponseState
from coalition.domain.rendering import paragraphs, render_markdown
from coalition.domain.revisions import redline_html
from coalition.drafting import services as drafting
from coalition.extensions import db, limiter, sign_limit, token_key
from coalition.i18n import translate
from coalition.invitations import access, forms, services
from coalition.models import Comment, Invitation, Statement
from coalition.outcomes import apply_errors, change
from coalition.security import current_actor, partner, statement_or_404
from coalition.web import iso

bp = Blueprint("invitations", __name__)

BADGES = {
    ResponseState.INVITED: "draft",
    ResponseState.MAIL_SENT: "draft",
    ResponseState.MAIL_FAILED: "bad",
    ResponseState.OPENED: "review",
    ResponseState.COMMENTED: "review",
    ResponseState.SIGNED: "ok",
    ResponseState.DECLINED: "warn",
    ResponseState.REVOKED: "closed",
    ResponseState.EXPIRED: "closed",
}
FILTERS = ["all", "no_answer", *[state.value for state in ResponseState]]
FILTER_LABELS = {"all": "All", "no_answer": "No answer"} | {
    state.value: label for state, label in RESPONSE_LABELS.items()
}
CSV_MAX_BYTES = 1024 * 1024


def _invitation(statement: Statement, invitation_id: int) -> Invitation:
    try:
        return services.invitation_of(current_actor(), statement, invitation_id)
    except NotFound:
        abort(404)


def _zone(statement: Statement) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(statement.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# --- the lead's partner list ----------------------------------------------------------------


def _render_index(
    statement: Statement,
    *,
    invite_form: forms.InviteForm | None = None,
    bulk_form: forms.BulkInviteForm | None = None,
    bulk_outcome: services.BulkOutcome | None = None,
    status: int = 200,
) -> tuple[str, int]:
    rows = services.tracking(statement)
    counts = services.counts(rows)
    selected = request.args.get("status", "all")
    if selected not in FILTERS:
        selected = "all"
    if selected == "no_answer":
        shown = [row for row in rows if row.state in NO_ANSWER]
    elif selected != "all":
        shown = [row for row in rows if row.state.value == selected]
    else:
        shown = rows
    html = render_template(
        "invitations/index.html",
        statement=statement,
        rows=shown,
        counts=counts,
        selected=selected,
        filters=FILTERS,
        filter_labels=FILTER_LABELS,
        labels=RESPONSE_LABELS,
        badges=BADGES,
        invite_form=invite_form or forms.InviteForm(formdata=None),
        bulk_form=bulk_form or forms.BulkInviteForm(formdata=None),
        bulk_outcome=bulk_outcome,
        action_form=forms.ActionForm(formdata=None),
        tz=_zone(statement),
        comments_open=services.comments_open(statement),
    )
    return html, status


@bp.route("/statements/<int:statement_id>/invitations")
def index(statement_id: int) -> tuple[str, int]:
    """The lead's partner list: who was invited, who answered, with filters and counts."""
    return _render_index(statement_or_404(statement_id))


@bp.route("/statements/<int:statement_id>/invitations", methods=["POST"])
def invite(statement_id: int) -> tuple[str, int] | Response:
    """Invite one partner organisation (lead only)."""
    statement = statement_or_404(statement_id)
    form = forms.InviteForm()
    if form.validate_on_submit():
        with change(form) as outcome:
            invitation, _ = services.invite(
                current_actor(),
                statement,
                organisation=form.organisation.data,
                email=form.email.data,
                message=form.message.data,
            )
        if outcome.ok:
            flash(
                gettext(
                    "%(organisation)s is invited; the e-mail is in the outbox.",
                    organisation=invitation.organisation,
                ),
                "success",
            )
            return redirect(url_for("invitations.index", statement_id=statement_id))
    return _render_index(statement, invite_form=form, status=422)


def _read_upload(form: forms.BulkInviteForm) -> str | None:
    upload = form.csv_file.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    raw = upload.read(CSV_MAX_BYTES + 1)
    if len(raw) > CSV_MAX_BYTES:
        form.csv_file.errors = ["The file is larger than 1 MB: split the list."]
        return ""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return str(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    form.csv_file.errors = ["The file is not text (save it as CSV, UTF-8)."]
    return ""


@bp.route("/statements/<int:statement_id>/invitations/bulk", methods=["POST"])
def bulk(statement_id: int) -> tuple[str, int]:
    """Invite a pasted list or an uploaded CSV; bad lines come back with their reason."""
    statement = statement_or_404(statement_id)
    form = forms.BulkInviteForm()
    if form.validate_on_submit():
        uploaded = _read_upload(form)
        if uploaded == "":
            return _render_index(statement, bulk_form=form, status=422)
        parsed = BulkList()
        if form.lines.data and form.lines.data.strip():
            parsed = parse_bulk_lines(form.lines.data)
        if uploaded:
            from_csv = parse_bulk_csv(uploaded)
            parsed.invitees += from_csv.invitees
            parsed.bad += from_csv.bad
        if not parsed.invitees and not parsed.bad:
            form.lines.errors = ["Paste at least one line, or choose a CSV file."]
            return _render_index(statement, bulk_form=form, status=422)
        with change(form) as outcome:
            invited = services.invite_bulk(
                current_actor(), statement, parsed, message=form.message.data
            )
        if not outcome.ok:
            return _render_index(statement, bulk_form=form, status=422)
        # The box keeps only the lines still to fix: nothing typed is lost, nothing doubled.
        form.lines.data = "\n".join(bad.text for bad in invited.bad)
        return _render_index(
            statement, bulk_form=form, bulk_outcome=invited, status=422 if invited.bad else 200
        )
    return _render_index(statement, bulk_form=form, status=422)


def _act(statement_id: int, invitation_id: int, action: str) -> Response:
    statement = statement_or_404(statement_id)
    invitation = _invitation(statement, invitation_id)
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with change() as outcome:
        if action == "revoke":
            services.revoke(current_actor(), invitation)
            message = gettext(
                "The link of %(organisation)s no longer works.",
                organisation=invitation.organisation,
            )
        elif action == "resend":
            reinstated = invitation.revoked_at is not None
            services.resend(current_actor(), invitation)
            message = (
                gettext(
                    "%(organisation)s is reinstated: a new link is on its way; the withdrawn "
                    "one stays closed.",
                    organisation=invitation.organisation,
                )
                if reinstated
                else gettext(
                    "The same link is on its way to %(organisation)s again.",
                    organisation=invitation.organisation,
                )
            )
        else:
            services.remind(current_actor(), invitation)
            message = gettext(
                "A reminder is on its way to %(organisation)s.",
                organisation=invitation.organisation,
            )
    if outcome.ok:
        flash(message, "success")
    return redirect(url_for("invitations.index", statement_id=statement_id,
                            status=request.args.get("status") or None))


@bp.route("/statements/<int:statement_id>/invitations/<int:invitation_id>/revoke",
          methods=["POST"])
def revoke(statement_id: int, invitation_id: int) -> Response:
    """End a partner's link (lead only)."""
    return _act(statement_id, invitation_id, "revoke")


@bp.route("/statements/<int:statement_id>/invitations/<int:invitation_id>/resend",
          methods=["POST"])
def resend(statement_id: int, invitation_id: int) -> Response:
    """Send the invitation again with its link; a revoked one is reinstated with a new link
    (lead only)."""
    return _act(statement_id, invitation_id, "resend")


@bp.route("/statements/<int:statement_id>/invitations/<int:invitation_id>/remind",
          methods=["POST"])
def remind(statement_id: int, invitation_id: int) -> Response:
    """Remind one partner that has not answered (lead only)."""
    return _act(statement_id, invitation_id, "remind")


@bp.route("/statements/<int:statement_id>/invitations/remind", methods=["POST"])
def remind_all(statement_id: int) -> Response:
    """Remind every partner with no answer yet (lead only)."""
    statement = statement_or_404(statement_id)
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    reminded, skipped = services.remind_all(current_actor(), statement)
    db.session.commit()
    text = ngettext("%(num)d reminder on its way.", "%(num)d reminders on their way.", reminded)
    if skipped:
        text += " " + ngettext(
            "%(num)d partner reminded in the last 12 hours was left out.",
            "%(num)d partners reminded in the last 12 hours were left out.",
            skipped,
        )
    flash(text, "success" if reminded else "info")
    return redirect(url_for("invitations.index", statement_id=statement_id))


CSV_COLUMNS = (
    "organisation", "email", "status", "invited_at", "mail_sent_at", "mail_failed_at",
    "opened_at", "commented_at", "signed_at", "declined_at", "decline_reason",
    "last_reminded_at", "revoked_at",
)


@bp.route("/statements/<int:statement_id>/invitations.csv")
def export_csv(statement_id: int) -> Response:
    """The partner list with response states and times as CSV (lead only; holds addresses)."""
    statement = statement_or_404(statement_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in services.tracking(statement):
        invitation, facts = row.invitation, row.facts
        cells = [
            invitation.organisation, invitation.email, row.state.value,
            iso(invitation.created_at), iso(facts.mail_sent_at), iso(facts.mail_failed_at),
            iso(facts.opened_at), iso(facts.commented_at), iso(facts.signed_at),
            iso(facts.declined_at), invitation.decline_reason,
            iso(invitation.last_reminded_at), iso(invitation.revoked_at),
        ]
        writer.writerow([escape_csv_cell(cell) for cell in cells])
    response = make_response("\ufeff" + buffer.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{statement.slug[:80]}-partners.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the outbox -----------------------------------------------------------------------------


@bp.route("/statements/<int:statement_id>/outbox")
def outbox(statement_id: int) -> str:
    """The mail of a statement: sent, failed and waiting, readable (lead only)."""
    statement = statement_or_404(statement_id)
    return render_template(
        "invitations/outbox.html",
        statement=statement,
        messages=services.statement_outbox(statement),
        hidden=withheld.hidden_addresses(statement),
        smtp=bool(current_app.config.get("MAIL_HOST")),
        tz=_zone(statement),
        action_form=forms.ActionForm(formdata=None),
    )


@bp.route("/statements/<int:statement_id>/outbox/<int:message_id>")
def outbox_message(statement_id: int, message_id: int) -> str:
    """One message as it was (or will be) sent (lead only)."""
    statement = statement_or_404(statement_id)
    try:
        message = services.outbox_message(current_actor(), statement, message_id)
    except NotFound:
        abort(404)
    return render_template(
        "invitations/outbox_message.html",
        statement=statement,
        message=message,
        hidden=withheld.hidden_addresses(statement),
        tz=_zone(statement),
        action_form=forms.ActionForm(formdata=None),
    )


@bp.route("/statements/<int:statement_id>/outbox/<int:message_id>/retry", methods=["POST"])
def retry(statement_id: int, message_id: int) -> Response:
    """Queue a message that was given up on once more (lead only)."""
    statement = statement_or_404(statement_id)
    try:
        message = services.outbox_message(current_actor(), statement, message_id)
    except NotFound:
        abort(404)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    with change() as outcome:
        services.retry_message(current_actor(), message)
    if outcome.ok:
        flash(gettext("The message is back in the queue."), "success")
    return redirect(url_for("invitations.outbox", statement_id=statement_id))


# --- comments: the lead's side --------------------------------------------------------------


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)
    suggestion_html: str | None = None


@dataclass
class Block:
    index: int
    html: str
    threads: list[Thread] = field(default_factory=list)


def _threads(comments: list[Comment]) -> list[Thread]:
    threads: dict[int, Thread] = {}
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.id] = Thread(
                comment,
                suggestion_html=redline_html(comment.anchor_text, comment.suggestion)
                if comment.suggestion is not None
                else None,
            )
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
    return list(threads.values())


def _place(
    threads: list[Thread], body: str, current: int
) -> tuple[list[Block], list[Thread], list[Thread]]:
    """Blocks of the current text with their threads, the general threads, the outdated ones."""
    texts = paragraphs(body)
    blocks = [Block(i, render_markdown(text)) for i, text in enumerate(texts)]
    general: list[Thread] = []
    outdated: list[Thread] = []
    for thread in threads:
        comment = thread.comment
        if comment.anchor is None:
            general.append(thread)
            continue
        same = comment.revision_number == current
        index = locate_paragraph(texts, comment.anchor, comment.anchor_text, same_revision=same)
        if index is None:
            outdated.append(thread)
        else:
            blocks[index].threads.append(thread)
    return blocks, general, outdated


@dataclass
class ReplyError:
    """A refused reply, shown again in its (opened) box with the typed text."""

    comment_id: int
    body: str
    visibility: str
    message: str


@bp.route("/statements/<int:statement_id>/comments")
def comments(statement_id: int) -> str | tuple[str, int]:
    """Partners' comments beside their paragraphs, with reply, resolve and accept (lead only)."""
    return _comments_page(statement_or_404(statement_id))


def _comments_page(
    statement: Statement, refused: ReplyError | None = None
) -> str | tuple[str, int]:
    revision = drafting.latest_revision(statement)
    show_all = request.args.get("show") == "all"
    everything = services.statement_comments(statement)
    threads = _threads(everything)
    resolved = sum(1 for t in threads if t.comment.resolved_at is not None)
    if not show_all:
        threads = [t for t in threads if t.comment.resolved_at is None]
    blocks, general, outdated = _place(threads, revision.body, revision.number)
    accept_form = forms.AcceptForm(formdata=None)
    accept_form.base_revision.data = str(revision.number)
    page = render_template(
        "invitations/comments.html",
        statement=statement,
        revision=revision,
        blocks=blocks,
        general=general,
        outdated=outdated,
        show_all=show_all,
        resolved_count=resolved,
        open_count=sum(1 for t in _threads(everything) if t.comment.resolved_at is None),
        accept_form=accept_form,
        reply_form=forms.ReplyForm(formdata=None),
        action_form=forms.ActionForm(formdata=None),
        tz=_zone(statement),
        comments_open=services.comments_open(statement),
        refused=refused,
        error_items=[
            (f"#reply-{refused.comment_id}", gettext("Reply"), refused.message)
        ] if refused else [],
    )
    return (page, 422) if refused else page


def _comment(statement: Statement, comment_id: int) -> Comment:
    try:
        return services.comment_of(current_actor(), statement, comment_id)
    except NotFound:
        abort(404)


def _back(statement_id: int, comment: Comment | None = None, *, ok: bool = True) -> Response:
    # After a refusal, land at the top where the message is shown, not beside the comment.
    anchor = f"#comment-{comment.parent_id or comment.id}" if comment is not None and ok else ""
    show = request.args.get("show")
    return redirect(
        url_for("invitations.comments", statement_id=statement_id, show=show or None) + anchor
    )


@bp.route("/statements/<int:statement_id>/comments/<int:comment_id>/reply", methods=["POST"])
def reply(statement_id: int, comment_id: int) -> Response | str | tuple[str, int]:
    """Answer a comment, or add an internal note (lead only).

    A refused reply comes back in its own box, opened, with the typed text and the reason
    listed at the top of the page with a link to the box.
    """
    statement = statement_or_404(statement_id)
    comment = _comment(statement, comment_id)
    form = forms.ReplyForm()
    message = None
    if not form.validate_on_submit():
        message = (
            gettext("Write a reply before sending it.")
            if not (form.body.data or "").strip()
            else _messages([e for errors in form.errors.values() for e in errors])
        )
    else:
        with change(quiet=(DomainError,)) as outcome:
            services.reply(
                current_actor(), comment, body=form.body.data, visibility=form.visibility.data
            )
        if outcome.error is not None:
            message = translate(outcome.error.message)
        else:
            flash(gettext("Your reply is saved."), "success")
            return _back(statement_id, comment)
    return _comments_page(
        statement_or_404(statement_id),
        ReplyError(comment.id, form.body.data or "", form.visibility.data or "shared", message),
    )


@bp.route("/statements/<int:statement_id>/comments/<int:comment_id>/resolve", methods=["POST"])
def resolve(statement_id: int, comment_id: int) -> Response:
    """Mark a comment resolved, or open it again (lead only)."""
    statement = statement_or_404(statement_id)
    comment = _comment(statement, comment_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    again = request.form.get("reopen") == "1"
    services.resolve(current_actor(), comment, resolved=not again)
    db.session.commit()
    flash(
        gettext("The comment is open again.") if again else gettext("The comment is resolved."),
        "success",
    )
    return _back(statement_id, comment)


@bp.route("/statements/<int:statement_id>/comments/<int:comment_id>/accept", methods=["POST"])
def accept(statement_id: int, comment_id: int) -> Response:
    """Accept a suggested text as a new revision crediting the partner (lead only)."""
    statement = statement_or_404(statement_id)
    comment = _comment(statement, comment_id)
    form = forms.AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    base = int(form.base_revision.data) if (form.base_revision.data or "").isdigit() else -1
    with change(quiet=(StaleRevision,)) as outcome:
        revision = services.accept_suggestion(current_actor(), comment, base_revision=base)
    if isinstance(error := outcome.error, StaleRevision):
        flash(
            gettext(
                "Not accepted: you were reading revision %(base)s, and revision "
                "%(current)s was saved since. Nothing is lost — the suggestion is "
                "still here. Read the paragraph as it is now, then accept again.",
                base=error.base_revision,
                current=error.current_revision,
            ),
            "warning",
        )
        return _back(statement_id, comment, ok=False)
    if not outcome.ok:
        return _back(statement_id, comment, ok=False)
    flash(gettext("Accepted: saved as revision %(number)s.", number=revision.number), "success")
    return _back(statement_id, comment)


# --- the partner's page ---------------------------------------------------------------------


def _partner_invitation(token: str) -> Invitation:
    """The live invitation of a token; a revoked or expired one gets a 404 naming the lead."""
    return access.invitation_or_ended_page(token)


@dataclass
class PartnerBlock:
    index: int
    html: str
    comments: list[Comment] = field(default_factory=list)


def _render_partner(
    token: str,
    invitation: Invitation,
    *,
    seen_before: int | None = None,
    comment_form: forms.CommentForm | None = None,
    error_anchor: str | None = None,
    decline_form: forms.DeclineForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    statement = invitation.statement
    revision = drafting.latest_revision(statement)
    texts = paragraphs(revision.body)
    blocks = [PartnerBlock(i, render_markdown(text)) for i, text in enumerate(texts)]
    visible = services.partner_comments(invitation)
    replies: dict[int, list[Comment]] = {}
    general: list[Comment] = []
    for comment in visible:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
        elif comment.anchor is None:
            general.append(comment)
        elif (
            index := locate_paragraph(
                texts,
                comment.anchor,
                comment.anchor_text,
                same_revision=comment.revision_number == revision.number,
            )
        ) is not None:
            blocks[index].comments.append(comment)
        else:
            general.append(comment)
    if error_anchor is not None and error_anchor not in {str(b.index) for b in blocks}:
        # The paragraph is gone (or never was): show the typed text in the general form.
        error_anchor = "general"
    changes = None
    errors = _partner_errors(comment_form, error_anchor, decline_form)
    if seen_before is not None and seen_before < revision.number:
        try:
            old = drafting.get_revision(statement, seen_before)
        except NotFound:
            old = None
        if old is not None:
            changes = {"from": seen_before, "html": redline_html(old.body, revision.body)}
    html = render_template(
        "invitations/partner.html",
        token=token,
        invitation=invitation,
        statement=statement,
        revision=revision,
        lead_organisation=statement.organisation.name,
        blocks=blocks,
        general=general,
        replies=replies,
        changes=changes,
        comments_open=services.comments_open(statement),
        signed=roster.has_live_signature(invitation),
        comment_form=comment_form or forms.CommentForm(formdata=None),
        error_anchor=error_anchor,
        decline_form=decline_form or forms.DeclineForm(formdata=None),
        action_form=forms.ActionForm(formdata=None),
        error_items=errors,
        expires_at=access.expires_at(invitation, statement),
        tz=_zone(statement),
    )
    return html, status


def _messages(errors: list[str]) -> str:
    return " ".join(translate(error) for error in errors)


def _partner_errors(
    comment_form: forms.CommentForm | None,
    error_anchor: str | None,
    decline_form: forms.DeclineForm | None,
) -> list[tuple[str, str, str]]:
    """A refused comment or decline, listed at the top of the long page with a link to its
    box (opened by the template): the partner lands on the page's top, not beside it."""
    items: list[tuple[str, str, str]] = []
    if comment_form is not None and error_anchor is not None:
        key = "all" if error_anchor == "general" else error_anchor
        label = (
            gettext("Your comment on the statement")
            if key == "all"
            else gettext("Your comment on this paragraph")
        )
        for errors in (comment_form.anchor.errors, comment_form.body.errors):
            if errors:
                items.append((f"#body-{key}", label, _messages(list(errors))))
        if comment_form.suggestion.errors:
            items.append((
                f"#suggestion-{key}",
                gettext("Suggested text for this paragraph (optional)"),
                _messages(list(comment_form.suggestion.errors)),
            ))
    if decline_form is not None and decline_form.reason.errors:
        items.append((
            f"#{decline_form.reason.id}",
            str(decline_form.reason.label.text),
            _messages(list(decline_form.reason.errors)),
        ))
    return items


@bp.route("/i/<token>")
@partner
def partner_page(token: str) -> tuple[str, int]:
    """A partner's view of the statement through its invitation link (no account)."""
    invitation = _partner_invitation(token)
    seen_before = invitation.last_seen_revision
    if request.method == "GET":  # not on HEAD: link checkers do not count as opening
        seen_before = services.record_visit(invitation)
        db.session.commit()
    response = _render_partner(token, invitation, seen_before=seen_before)
    return response


@bp.route("/i/<token>/comments", methods=["POST"])
@limiter.limit(sign_limit, key_func=token_key)
@partner
def partner_comment(token: str) -> tuple[str, int] | Response:
    """A partner comments on a paragraph or proposes replacement text (partner only)."""
    invitation = _partner_invitation(token)
    form = forms.CommentForm()
    raw_anchor = (form.anchor.data or "").strip()
    anchor = int(raw_anchor) if raw_anchor.isdigit() else None
    if raw_anchor and anchor is None:
        form.anchor.errors = ["No such paragraph."]
    elif form.validate_on_submit():
        with change(quiet=(DomainError,)) as outcome:
            services.add_comment(
                invitation,
                body=form.body.data or "",
                anchor=anchor,
                suggestion=form.suggestion.data or None,
                visibility=form.visibility.data,
            )
        if (error := outcome.error) is not None:
            invitation = _partner_invitation(token)
            if error.status == 409 and "anchor" not in error.fields:
                # Comments are closed: the forms are not on the page, so say it above it.
                # (A paragraph the text no longer has is the form's error, beside it.)
                flash(translate(error), "error")
                return _render_partner(token, invitation, status=409)
            apply_errors(form, error)
        else:
            flash(
                gettext(
                    "Your comment is sent to %(organisation)s and shared with the other "
                    "partners.",
                    organisation=invitation.statement.organisation.name,
                )
                if form.visibility.data == "shared"
                else gettext(
                    "Your comment is sent to %(organisation)s.",
                    organisation=invitation.statement.organisation.name,
                ),
                "success",
            )
            target = f"#p-{anchor}" if anchor is not None else "#general-comments"
            return redirect(url_for("invitations.partner_page", token=token) + target)
    return _render_partner(
        token, invitation, comment_form=form,
        error_anchor=raw_anchor if raw_anchor else "general", status=422,
    )


@bp.route("/i/<token>/decline", methods=["POST"])
@limiter.limit(sign_limit, key_func=token_key)
@partner
def decline(token: str) -> tuple[str, int] | Response:
    """A partner declines to sign, with an optional reason (partner only)."""
    invitation = _partner_invitation(token)
    form = forms.DeclineForm()
    if form.validate_on_submit():
        with change(form) as outcome:
            services.decline(invitation, form.reason.data or "")
        if not outcome.ok:
            invitation = _partner_invitation(token)
        else:
            flash(
                gettext(
                    "You declined. %(organisation)s can see your answer.",
                    organisation=invitation.statement.organisation.name,
                ),
                "success",
            )
            return redirect(url_for("invitations.partner_page", token=token))
    return _render_partner(token, invitation, decline_form=form, status=422)


@bp.route("/i/<token>/decline/undo", methods=["POST"])
@partner
def undo_decline(token: str) -> Response:
    """A partner takes back its decline (partner only)."""
    invitation = _partner_invitation(token)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    services.undo_decline(invitation)
    db.session.commit()
    flash(gettext("Your decline is withdrawn."), "success")
    return redirect(url_for("invitations.partner_page", token=token))
