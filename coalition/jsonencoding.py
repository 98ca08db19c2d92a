"""Flask's JSON responses encoded by orjson: the same output, several times faster.

The signatories API answers with one object per signatory, a megabyte for a list of
10,000; the standard library's encoder spent about 15 ms on that, orjson about 2 ms
(docs/performance.md). Decoding stays with the standard library (orjson refuses integers
beyond 64 bits, which the API must answer with a field error, not a body error), and
whatever orjson cannot encode (integers beyond 64 bits, Decimal, Markup) goes through
Flask's default provider, so a response never differs in meaning from Flask's own.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import orjson
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response

# Flask sorts keys and writes dates as HTTP dates: keep both (datetimes are passed to
# Flask's default function rather than written in orjson's RFC 3339 form).
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


# No request schema nests deeper than a few levels; the standard library's decoder recurses
# once per level and, past about a thousand ("[" * 100_000), raises RecursionError.
MAX_DEPTH = 32
# A string (escapes skipped, possibly unterminated) or one bracket.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


class TooDeep(ValueError):
    """A JSON document nested more than MAX_DEPTH levels: refused before it is parsed."""


def nesting_exceeds(document: str, limit: int = MAX_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than `limit` (stops as soon as they do)."""
    depth = 0
    for token in _TOKEN.finditer(document):
        mark = token.group()[0]
        if mark in "[{":
            depth += 1
            if depth > limit:
                return True
        elif mark in "]}":
            depth = max(depth - 1, 0)
    return False


class OrjsonProvider(DefaultJSONProvider):
    """Flask's provider whose compact responses (jsonify outside debug) orjson encodes.

    ``dumps`` stays Flask's: templates' ``tojson`` and anything asking for options get
    the standard library, as before.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Decode as Flask does, after refusing a document nested too deeply (TooDeep)."""
        if isinstance(s, bytes | bytearray):
            s = s.decode(json.detect_encoding(s), "surrogatepass")
        if nesting_exceeds(s):
            raise TooDeep(f"The JSON is nested more than {MAX_DEPTH} levels deep.")
        return super().loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)  # indented for reading
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except TypeError:  # e.g. an integer beyond 64 bits: Flask's encoder writes it
            return super().response(obj)
        # The app's response class takes bytes as a body (typed for the sans-IO base only).
        response_class = cast(Any, self._app.response_class)
        return cast(Response, response_class(body + b"\n", mimetype=self.mimetype))
