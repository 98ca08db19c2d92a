"""A refused comment or reply: listed at the top with a link to its box, which is open and
keeps the typed text (the page is long; the box may be far below)."""

from __future__ import annotations

import re

from coalition.extensions import db
from coalition.invitations import services
from coalition.models import Statement, User
from tests import factories


def _summary(page: str) -> str:
    match = re.search(r'<div class="notice notice-error error-summary"[^>]*>(.*?)</div>',
                      page, re.S)
    assert match, "no error summary at the top"
    assert page.index("error-summary") < page.index('statement-text')
    return match.group(1)


def test_a_whitespace_only_comment_is_listed_at_the_top_and_its_box_opens(app, make_setup):
    s = make_setup()
    with app.app_context():
        statement = db.session.get(Statement, s.statement_id)
        _, token = factories.invite(db.session.get(User, s.owner_id), statement)
    client = app.test_client()
    response = client.post(f"/i/{token}/comments",
                           data={"anchor": "1", "body": "   \n  ", "visibility": "shared"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = _summary(page)
    assert 'href="#body-1"' in summary and "Your comment on this paragraph" in summary
    box = re.search(r'<details class="comment-here" open>.*?</details>', page, re.S)
    assert box and 'id="body-1"' in box.group(0)
    assert 'value="shared" checked' in box.group(0)


def test_a_refused_reply_keeps_its_text_in_its_opened_box(app, make_setup):
    s = make_setup()
    with app.app_context():
        statement = db.session.get(Statement, s.statement_id)
        invitation, _ = factories.invite(db.session.get(User, s.owner_id), statement)
        comment = services.add_comment(invitation, body="Please sharpen.", anchor=1,
                                       suggestion=None, visibility="private")
        db.session.commit()
        comment_id = comment.id
    response = s.client.post(f"/statements/{s.statement_id}/comments/{comment_id}/reply",
                             data={"body": "  \t ", "visibility": "private"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = _summary(page)
    assert f'href="#reply-{comment_id}"' in summary and "Write a reply before sending it" in summary
    box = re.search(r'<details class="reply-box" open>.*?</details>', page, re.S)
    assert box and f'id="reply-{comment_id}"' in box.group(0)
    assert 'aria-invalid="true"' in box.group(0) and 'value="private" checked' in box.group(0)
    # A reply that is accepted still goes back to its comment.
    done = s.client.post(f"/statements/{s.statement_id}/comments/{comment_id}/reply",
                         data={"body": "Done, thanks.", "visibility": "shared"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"#comment-{comment_id}")
