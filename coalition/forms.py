"""The base of every form: Flask-WTF's, with a CSRF field that carries no id.

A page holds many small forms (a Remind, Re-send and Revoke button per partner), each
with its hidden CSRF token; with the default id="csrf_token" on each, the page repeats
one id many times (axe's duplicate-id rules). Nothing labels or targets a hidden token,
so it needs no id at all.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm as _FlaskForm
from markupsafe import Markup
from wtforms import Field


class FlaskForm(_FlaskForm):
    """Flask-WTF's form, rendering its CSRF token without an id."""

    class Meta:
        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Markup:
            if field.type == "CSRFTokenField":
                render_kw = {**render_kw, "id": False}
            rendered: Markup = super().render_field(field, render_kw)  # type: ignore[misc]
            return rendered
