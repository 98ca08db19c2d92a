"""Fuzzing with hypothesis against one shared world per module (built once, then attacked).

COALITION_FUZZ_EXAMPLES sets how many examples each default test tries (CI's slow run
multiplies it). No example database is kept: every run starts fresh.
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from coalition import create_app
from coalition.extensions import db
from coalition.models import User
from tests import factories
from tests.conftest import PG_URL, _empty_pg_tables, base_config
from tests.security.world import World, build_world
from tests.security.xss import LONGER, PAYLOADS
from tests.typed_names import NAMES

EXAMPLES = int(os.environ.get("COALITION_FUZZ_EXAMPLES", "4"))
SLOW_EXAMPLES = EXAMPLES * 4

settings.register_profile(
    "coalition",
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
settings.load_profile("coalition")


@dataclass
class Fuzz:
    app: Flask
    world: World
    lead: FlaskClient
    partner: FlaskClient
    public: FlaskClient


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory, _pg_schema: None) -> Iterator[Fuzz]:
    app = create_app(base_config(Path(tmp_path_factory.mktemp("fuzz"))))
    with app.app_context():
        if not PG_URL:
            db.create_all()
        world = build_world()
        owner = db.session.get(User, world.owner_id)
        assert owner is not None
        lead = app.test_client()
        factories.login(lead, owner)
    yield Fuzz(app, world, lead, app.test_client(), app.test_client())
    with app.app_context():
        db.session.remove()
        if PG_URL:
            _empty_pg_tables(app)
        db.engine.dispose()


# --- hostile values -----------------------------------------------------------------------

CONTROL = "".join(chr(c) for c in [*range(0, 32), 127, 0x85, 0x2028, 0x2029, 0x200B, 0xFEFF])
WEIRD = ["", " ", "\t\n", "0", "-1", "1e309", "NaN", "null", "true", "[]", "{}", "%00",
         "../../etc/passwd", "' OR 1=1 --", "=cmd|' /C calc'!A0", "\u202egnp.exe",
         "ﷺ" * 50, "🏳️‍🌈" * 30, "x" * 201, "x" * 301, "9" * 40, "-" * 1000]


# Kept as typed: the joiners and direction marks, inside real names and anywhere in text.
MARKS = "\u200c\u200d\u200e\u200f"
# Refused with a 422 naming the field: bidirectional embeddings, overrides and isolates.
BIDI = "".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def typed_text() -> st.SearchStrategy[str]:
    """Real names with joiners and marks, and text mixing marks, overrides and letters."""
    return st.one_of(
        st.sampled_from(NAMES),
        st.builds(lambda name, mark: name + mark, st.sampled_from(NAMES),
                  st.sampled_from(list(BIDI + "\x00\x85"))),
        st.text(alphabet=st.sampled_from(MARKS + BIDI + "abc ی\u0645"), max_size=40),
    )


def lone_surrogates() -> st.SearchStrategy[str]:
    """Text holding a lone surrogate: JSON's \\ud800 escapes carry one, nothing stores it."""
    return st.builds(
        lambda before, surrogate, after: before + surrogate + after,
        st.sampled_from(["", "Org ", *NAMES]),
        st.integers(min_value=0xD800, max_value=0xDFFF).map(chr),
        st.sampled_from(["", " name"]),
    )


def huge() -> st.SearchStrategy[str]:
    """Strings past every limit: 5,000 to 300,000 characters (under the 2 MB body)."""
    return st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "é", "<", "\x00", "界 "]),
                     st.sampled_from([5_001, 200_001, 300_000]))


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=300),
        st.text(alphabet=st.sampled_from(CONTROL + string.printable), max_size=100),
        st.sampled_from(WEIRD + PAYLOADS + [LONGER]),
        typed_text(),
        huge(),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
    )


def deep_json() -> st.SearchStrategy[bytes]:
    """JSON nested past any schema (issue 21: "[" * 100,000 was a RecursionError, a 500)."""
    return st.builds(
        lambda pair, n, closed: pair[0] * n + (pair[1] * n if closed else b""),
        st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'{"name":[', b"]}")]),
        st.sampled_from([33, 1_000, 100_000]),
        st.booleans(),
    )


def query_text() -> st.SearchStrategy[str]:
    """Query values with control characters, alone or after a "/" (a local-looking next)."""
    text = st.text(alphabet=st.sampled_from(CONTROL + string.printable), max_size=60)
    return st.one_of(text, text.map(lambda value: "/" + value))


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=True, allow_infinity=True), hostile_text(), lone_surrogates(),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=12), children, max_size=4),
        ),
        max_leaves=8,
    )
