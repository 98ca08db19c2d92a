"""LibreOffice in tests: convert a file headless, or skip when ``soffice`` is not installed.

CI installs it (.ci/run); a developer's machine may not have it. Each call uses its own
profile directory, so tests running at once do not share LibreOffice's lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # noqa: S404 - runs LibreOffice on test files only
from pathlib import Path

import pytest


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return path


def convert(source: Path, target: str, *, infilter: str | None = None) -> Path:
    """``source`` converted by ``soffice --headless --convert-to target``; the new file."""
    out = source.parent / f"converted-{source.stem}"
    profile = source.parent / f"lo-profile-{source.stem}"
    command = [
        soffice(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        target,
        "--outdir",
        str(out),
        str(source),
    ]
    # A UTF-8 system locale, as on any desktop: "SYSTEM" in filter options means UTF-8.
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(source.parent)}
    subprocess.run(command, check=True, capture_output=True, timeout=180, env=env)  # noqa: S603
    extension = target.split(":", 1)[0]
    result = out / f"{source.stem}.{extension}"
    assert result.exists(), f"LibreOffice made no {extension} of {source.name}"
    return result
