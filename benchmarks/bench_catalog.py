"""Catalog start-up benchmark: a long catalog loads, and answers an 8-day window, without expanding histories.

Run from the project root (a few seconds at the default sizes; the figures go to standard output):

    .venv/bin/python benchmarks/bench_catalog.py [--shows 1000] [--episodes 1000] [--full-expansion]

S shows of E episodes each (default 1,000 x 1,000: a million airings in all), one to three
weekly slots in nine zones (some with daylight saving), premieres spread over the 16 years
before NOW and the year after, so some shows have finished, some air now and some have not
begun; each show has ten skipped dates and three explicit airings. In a fresh subprocess each,
the catalog is built from a dict already in memory (`parse_catalog`, the dict not timed) and
from a TOML file (`load_catalog`); then timed: the first `airings_between(NOW, NOW + 8 days)`
(it also builds each show's schedule), later 8-day windows, `next_airing` over every show,
`last_airing` of every show and `airing(key)`. Peak RSS of the whole process from
/proc/self/status (VmHWM). Targets: catalog load + first window < 2 s, peak RSS < 150 MB.
`--full-expansion` also times `Catalog.airings` (every airing, what start-up used to build).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from bot.domain.catalog import WEEKDAYS, load_catalog, parse_catalog

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(days=8)
ZONES = ("Asia/Seoul", "Asia/Tokyo", "Asia/Kolkata", "Europe/London", "Europe/Berlin", "America/New_York",
         "America/Los_Angeles", "America/Sao_Paulo", "Australia/Sydney")
KST = timezone(timedelta(hours=9))


def peak_rss_mb() -> dict[str, float]:
    """RSS in MB: now (VmRSS) and peak (VmHWM) from /proc, and getrusage's ru_maxrss."""
    with open("/proc/self/status") as status:
        kb = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in status) if k in ("VmRSS", "VmHWM")}
    return {"vm_rss": kb["VmRSS"] / 1024, "vm_hwm": kb["VmHWM"] / 1024,
            "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def catalog_dict(shows: int, episodes: int, seed: int = 1) -> dict:
    """S shows of E episodes, as tomllib would load them (see the module docstring)."""
    rng = random.Random(seed)
    entries = []
    for i in range(shows):
        per_week = rng.randint(1, 3)
        premiere = NOW.date() - timedelta(days=rng.randint(-365, 16 * 365))
        days = sorted({premiere.weekday(), *rng.sample(range(7), per_week - 1)})
        run_days = episodes * 7 // len(days)
        entries.append({
            "title": f"Long Drama {i}", "network": "JTBC", "timezone": rng.choice(ZONES),
            "days": [WEEKDAYS[d] for d in days],
            "time": f"{rng.randint(0, 23):02d}:{rng.choice((0, 10, 30, 50)):02d}",
            "premiere": premiere, "episodes": episodes, "runtime": 70,
            "skip": sorted({premiere + timedelta(days=rng.randrange(run_days)) for _ in range(10)}),
            "airings": [{"episode": e, "at": datetime.combine(premiere + timedelta(days=rng.randrange(run_days)),
                                                                   datetime.min.time(), KST)}
                        for e in rng.sample(range(1, episodes + 1), 3)],
        })
    return {"shows": entries}


def to_toml(raw: dict) -> str:
    def value(v) -> str:  # strings, ints, dates, date-times, lists and inline tables of them
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, date):
            return v.isoformat()
        return json.dumps(v) if isinstance(v, str) else str(v)

    return "\n".join("[[shows]]\n" + "\n".join(f"{k} = {value(v)}" for k, v in s.items()) + "\n" for s in raw["shows"])


def timed(call):
    t = time.perf_counter()
    result = call()
    return result, time.perf_counter() - t


def child(shows: int, episodes: int, toml: str | None, full: bool) -> None:
    raw = None if toml else catalog_dict(shows, episodes)  # "already in memory": not timed
    before = peak_rss_mb()["vm_rss"]
    catalog, load_s = timed(lambda: load_catalog(toml) if toml else parse_catalog(raw))
    window, first_s = timed(lambda: catalog.airings_between(NOW, NOW + WINDOW))
    later = [timed(lambda i=i: catalog.airings_between(NOW + i * WINDOW, NOW + (i + 1) * WINDOW))[1] for i in range(1, 21)]
    upcoming, next_s = timed(lambda: catalog.next_airing(catalog.shows, NOW))
    lasts, last_s = timed(lambda: [catalog.last_airing(key) for key in catalog.shows])
    keys = [a.key for a in window[:100]]
    found, key_s = timed(lambda: [catalog.airing(key) for key in keys])
    result = dict(shows=len(catalog.shows), load_s=load_s, first_window_s=first_s, window_airings=len(window),
                  later_window_median_s=statistics.median(later), later_window_max_s=max(later),
                  next_airing_s=next_s, next_airing=upcoming.key if upcoming else None, last_airing_all_s=last_s,
                  finished=sum(last.start <= NOW for last in lasts if last), airing_key_s=key_s / len(keys),
                  key_found=found == window[:100], rss_before=before, **peak_rss_mb())
    if full:
        everything, full_s = timed(lambda: catalog.airings)
        result.update(full_s=full_s, full_airings=len(everything), full_vm_hwm=peak_rss_mb()["vm_hwm"])
    print(json.dumps(result))


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shows", type=int, default=1000)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--full-expansion", action="store_true", help="also time Catalog.airings (every airing)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--toml", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.shows, args.episodes, args.toml, args.full_expansion)
    sizes = ["--shows", str(args.shows), "--episodes", str(args.episodes)] + (["--full-expansion"] if args.full_expansion else [])
    print(f"dramabot catalog benchmark: {args.shows:,} shows x {args.episodes:,} episodes, "
          f"8-day windows from {NOW:%Y-%m-%d %H:%MZ}, Python {sys.version.split()[0]}; fresh subprocess each")
    with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
        toml = Path(scratch) / "catalog.toml"
        toml.write_text(to_toml(catalog_dict(args.shows, args.episodes)), encoding="utf-8")
        runs = [("dict in memory, parse_catalog", run_child("--child", *sizes)),
                (f"TOML file ({toml.stat().st_size // 1024} KB), load_catalog", run_child("--child", *sizes, "--toml", str(toml)))]
    for label, r in runs:
        total = r["load_s"] + r["first_window_s"]
        ok = total < 2 and r["vm_hwm"] < 150 and r["key_found"]
        print(f"from {label}:")
        print(f"   catalog {r['load_s']:.3f} s + first 8-day window {r['first_window_s'] * 1000:.1f} ms "
              f"({r['window_airings']:,} airings) = {total:.3f} s; peak RSS (VmHWM) {r['vm_hwm']:.1f} MB "
              f"({r['rss_before']:.1f} MB before loading; ru_maxrss {r['ru_maxrss']:.1f} MB): targets < 2 s and "
              f"< 150 MB {'met' if ok else 'NOT MET'}")
        print(f"   later 8-day windows: median {r['later_window_median_s'] * 1000:.1f} ms, max "
              f"{r['later_window_max_s'] * 1000:.1f} ms; next_airing over every show {r['next_airing_s'] * 1000:.1f} ms "
              f"({r['next_airing']}); last_airing of every show {r['last_airing_all_s'] * 1000:.1f} ms "
              f"({r['finished']:,} finished); airing(key) {r['airing_key_s'] * 1e6:.0f} µs each")
        if "full_s" in r:
            print(f"   (--full-expansion) Catalog.airings: {r['full_airings']:,} airings in {r['full_s']:.2f} s, "
                  f"peak RSS then {r['full_vm_hwm']:.0f} MB")


if __name__ == "__main__":
    main()
