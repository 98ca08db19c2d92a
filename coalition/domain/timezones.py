"""Time zones a person picks from: the current ones (IANA's zone.tab), by region, by city.

zoneinfo knows about 600 ids, among them deprecated links ("US/Eastern", "Europe/Kiev",
"Etc/GMT+5"); a menu of raw ids is long and misleading. The menu offers the zones of
zone.tab (one line per zone still in use, with its country), grouped by region (the id's
first part) and named by city and country in the reader's language (Babel's CLDR names),
with the current offset from UTC. A stored zone that is not in the list stays selectable.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from pathlib import Path

from babel import Locale
from babel.dates import get_timezone_location

from coalition.domain.collation import sort_key

# The regions of zone.tab's ids, in the order the menu shows them.
REGIONS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
)


@functools.cache
def current_zones() -> tuple[tuple[str, str], ...]:
    """(zone id, ISO country code) of every zone in use, from zone.tab; () if it is missing."""
    for folder in zoneinfo.TZPATH:
        table = Path(folder) / "zone.tab"
        if table.is_file():
            rows = []
            for line in table.read_text(encoding="utf-8").splitlines():
                if line.startswith("#") or not line.strip():
                    continue
                parts = line.split("\t")
                if len(parts) >= 3:
                    rows.append((parts[2], parts[0]))
            return tuple(rows)
    return ()


def _offset(zone: str, now: dt.datetime) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


@functools.lru_cache(maxsize=8)
def _named(language: str, day: dt.date) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    locale = Locale.parse(language)
    now = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for zone, country in current_zones():
        region = zone.split("/", 1)[0]
        if region not in groups:
            continue
        try:
            city = get_timezone_location(zone, locale=locale, return_city=True)
        except (LookupError, ValueError):  # pragma: no cover - a zone CLDR does not know
            city = zone.rsplit("/", 1)[-1].replace("_", " ")
        place = locale.territories.get(country, country)
        groups[region].append((zone, f"{city}, {place} ({_offset(zone, now)})"))
    return tuple(
        (region, tuple(sorted(zones, key=lambda pair: sort_key(pair[1], language))))
        for region, zones in groups.items()
        if zones
    )


Groups = list[tuple[str, list[tuple[str, str]]]]


def zone_groups(language: str, today: dt.date | None = None) -> Groups:
    """[(region, [(zone id, "City, Country (UTC+01:00)")])] in `language`, regions in order."""
    day = today or dt.datetime.now(dt.UTC).date()
    return [(region, list(zones)) for region, zones in _named(language, day)]


def is_current(zone: str) -> bool:
    """Whether `zone` is one the menu lists (UTC counts)."""
    return zone == "UTC" or any(zone == known for known, _ in current_zones())
