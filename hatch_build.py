"""Build hook: compile the interface's message catalogues into the wheel and the checkout.

Compiled catalogues (*.mo) are build products, not committed (see .gitignore). Every
install compiles them: a wheel carries them (forced in, since git ignores them), and an
editable install writes them beside their .po in the checkout, which the .pth points at.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location(
            "_coalition_catalogues", root / "coalition" / "catalogues.py"
        )
        if spec is None or spec.loader is None:
            raise RuntimeError("coalition/catalogues.py is missing")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        written = module.compile_catalogues(root / "coalition" / "locale")
        if self.target_name == "wheel" and version != "editable":
            for mo_path in written:
                relative = mo_path.relative_to(root).as_posix()
                build_data["force_include"][str(mo_path)] = relative
