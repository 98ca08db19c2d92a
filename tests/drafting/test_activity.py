"""The lead's audit log page and its CSV."""

from __future__ import annotations

import csv
import io

from tests import factories


def test_activity_lists_changes_and_exports_escaped_csv(app, client):
    with app.app_context():
        owner = factories.user()
        sid = factories.statement(owner, title='=HYPERLINK("http://evil")').id
        factories.login(client, owner)
    client.post(f"/statements/{sid}/state", data={"state": "review"})
    page = client.get(f"/statements/{sid}/activity").get_data(as_text=True)
    assert "State changed" in page and "Statement created" in page
    response = client.get(f"/statements/{sid}/activity?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["time", "actor", "action", "detail"]
    assert [r[2] for r in rows[1:]] == ["statement.created", "statement.state_changed"]
    assert all(not cell.startswith("=") for row in rows for cell in row)
