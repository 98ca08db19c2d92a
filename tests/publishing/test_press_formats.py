"""A press officer's files (issue 20): one CSV everywhere, opened by LibreOffice Calc."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from coalition.extensions import db
from coalition.publishing import services
from tests import factories
from tests.publishing.conftest import make_world
from tests.soffice import convert

DATE = dt.date(2026, 12, 3)
# The names that came out as mojibake in Excel, an Arabic name and one with an emoji.
NAMES = [
    ("“Viasna” Human Rights Centre", "organisation", "BY", ""),
    ("Libereco – Partnership for Human Rights", "organisation", "DE", ""),
    ("مركز الخليج لحقوق الإنسان", "organisation", "LB", ""),
    ("Rainbow Rights 🏳️‍🌈", "organisation", "GB", ""),
    ("=SUM(A1:A2)", "organisation", "", ""),
    ("Anna Nowak", "individual", "PL", "University of Warsaw"),
]


@pytest.fixture
def published(app: Flask) -> dict[str, object]:
    with app.app_context():
        world = make_world(names=NAMES)
        services.publish(world.lead, world.statement, date=DATE, note="Launched")
        db.session.commit()
        return {"slug": world.statement.slug, "id": world.id, "lead": world.lead.email}


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"),
                                           newline="")))


# --- 2. signatories.csv -----------------------------------------------------------------


def test_signatories_csv_is_the_same_bytes_at_every_address(
    app: Flask, client: FlaskClient, published: dict
) -> None:
    slug = published["slug"]
    public = client.get(f"/s/{slug}/signatories.csv").data
    assert public.startswith("\ufeff".encode())
    assert client.get(f"/s/{slug}/editions/1/signatories.csv").data == public
    kit = zipfile.ZipFile(io.BytesIO(client.get(f"/s/{slug}.zip").data))
    assert kit.read(f"{slug}-signatories.csv") == public
    client.post("/login", data={"email": published["lead"], "password": factories.PASSWORD})
    lead = client.get(f"/statements/{published['id']}/editions/1/export.csv")
    assert lead.status_code == 200 and lead.data == public
    # The lead's download with contacts starts with the same public columns, written alike.
    contacts = _rows(client.get(f"/statements/{published['id']}/publish/signatories.csv").data)
    public_rows = _rows(public)
    assert [{key: row[key] for key in public_rows[0]} for row in contacts] == public_rows
    row = next(r for r in public_rows if r["name"].startswith("“Viasna”"))
    assert (row["country"], row["country_code"]) == ("Belarus", "BY")


def test_signatories_csv_opens_in_libreoffice_calc(
    client: FlaskClient, published: dict, tmp_path: Path
) -> None:
    """Calc's import defaults (comma, double quote, the system's UTF-8) read every cell."""
    source = tmp_path / "signatories.csv"
    source.write_bytes(client.get(f"/s/{published['slug']}/signatories.csv").data)
    # Read back what Calc holds by saving it again as plain UTF-8 CSV without a BOM.
    result = convert(source, "csv:Text - txt - csv (StarCalc):44,34,76",
                     infilter="CSV:44,34,SYSTEM")
    with open(result, encoding="utf-8", newline="") as handle:
        cells = list(csv.reader(handle))
    assert cells[0] == ["name", "kind", "country", "country_code", "affiliation"]  # no BOM in A1
    by_name = {row[0]: row for row in cells[1:]}
    assert by_name["“Viasna” Human Rights Centre"][2:4] == ["Belarus", "BY"]
    assert "Libereco – Partnership for Human Rights" in by_name
    assert "مركز الخليج لحقوق الإنسان" in by_name
    assert "Rainbow Rights 🏳️‍🌈" in by_name
    assert "'=SUM(A1:A2)" in by_name  # text, never a formula
    assert by_name["Anna Nowak"][1:] == ["individual", "Poland", "PL", "University of Warsaw"]
