"""The catalog of shows and actors: loading a TOML file and turning slots into airings.

Expansion is pure: a show's weekly slots (wall-clock times in its own zone) become concrete
airings (show, episode, start instant in UTC), skipping pre-empted dates, so daylight-saving
changes in the show's zone and weekday shifts for viewers fall out of `zoneinfo`.

Nothing is expanded up front: a show's slot dates are arithmetic over "slot indices" (the
n-th slot day on or after the premiere), so one episode's airing, the airings in a window,
or a show's first and last airing cost a handful of date and zone computations however long
the show's history is. `Catalog.by_show` and `Catalog.airings` still give whole histories,
computed on demand, for commands that list a show and for tests.

- `values`: shows, actors and airings, and the catalog's error.
- `schedule`: one show's airings as slot arithmetic (`Schedule`, `expand_airings`).
- `model`: `Catalog`, the shows and actors with their airings answered on demand, names and news.
- `parsing`: reading and checking a catalog file (`load_catalog`, `parse_catalog`).
"""
from .model import Catalog
from .parsing import bundled_catalog_path, load_catalog, parse_catalog
from .schedule import expand_airings
from .values import DAY_NAMES, MAX_EPISODES, SEOUL, WEEKDAYS, Actor, Airing, CatalogError, Show

__all__ = [
    "DAY_NAMES",
    "MAX_EPISODES",
    "SEOUL",
    "WEEKDAYS",
    "Actor",
    "Airing",
    "Catalog",
    "CatalogError",
    "Show",
    "bundled_catalog_path",
    "expand_airings",
    "load_catalog",
    "parse_catalog",
]
