"""JSON responses through orjson must read exactly as Flask's own encoder wrote them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from coalition.jsonencoding import OrjsonProvider

PAYLOADS = [
    {"signatories": [{"name": "Aмнистия «Ü» 東京", "country": None, "kind": "org", "revision": 3}]},
    {"b": 1, "a": [1.5, True, None], "c": {"z": "é", "y": "\u2028"}},
    {"when": dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.UTC), "day": dt.date(2026, 11, 22)},
    {"huge": 2**80, "money": Decimal("12.50"), "markup": Markup("<b>x</b>")},
    {1: "integer keys", 2: "become strings"},
    [1, 2, 3],
]


def test_the_app_uses_it(app: Flask) -> None:
    assert isinstance(app.json, OrjsonProvider)


def test_responses_mean_what_flasks_encoder_writes(app: Flask) -> None:
    flask_encoder = DefaultJSONProvider(app)
    for payload in PAYLOADS:
        with app.test_request_context():
            ours = jsonify(payload)
            theirs = flask_encoder.response(payload)
        assert ours.mimetype == "application/json"
        assert json.loads(ours.get_data()) == json.loads(theirs.get_data()), payload


def test_keys_are_sorted_and_output_compact(app: Flask) -> None:
    with app.test_request_context():
        body = jsonify({"b": 1, "a": {"d": 2, "c": 3}}).get_data(as_text=True)
    assert body == '{"a":{"c":3,"d":2},"b":1}\n'


def test_debug_responses_stay_indented(app: Flask) -> None:
    app.debug = True
    try:
        with app.test_request_context():
            body = jsonify({"a": 1}).get_data(as_text=True)
    finally:
        app.debug = False
    assert body == '{\n  "a": 1\n}\n'
