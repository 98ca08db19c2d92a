"""docs/api.md's typed-client example, as written there: a client generated from the live
server's document with openapi-python-client, and the example run against that server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from coalition.extensions import db
from coalition.models import Signature
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- generated-client-example -->"

pytestmark = pytest.mark.slow


def example() -> str:
    """The Python block that follows the marker in docs/api.md."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    found = re.search(re.escape(MARKER) + r"\s*```python\n(.*?)```", text, re.S)
    assert found, "docs/api.md lost its generated-client example"
    return found.group(1)


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def test_the_documented_client_example_signs_through_an_invitation(
    app: Flask, server: str, tmp_path: Path
):
    with app.app_context():
        token = factories.token(factories.user())
    document = requests.get(f"{server}/api/v1/openapi.json", timeout=30).json()
    (tmp_path / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    generated = subprocess.run(
        [str(Path(bin_dir) / "openapi-python-client"), "generate",
         "--path", str(tmp_path / "openapi.json"), "--meta", "none",
         "--output-path", str(tmp_path / "coalition_client")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout
    script = tmp_path / "example.py"
    script.write_text(example(), encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False,
        env={**env, "PYTHONPATH": str(tmp_path), "COALITION_API": f"{server}/api/v1",
             "COALITION_TOKEN": token},
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "signed revision 1" in ran.stdout and ", live" in ran.stdout
    assert "signatories: ['Viasna Human Rights Centre']" in ran.stdout
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        assert signature is not None and signature.status == "live"
        assert signature.signer_email == "ales@viasna.example.org"
