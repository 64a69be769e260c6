"""/status: a public page for a bot's fans and operators, plain HTML that works without
JavaScript, refreshes itself every minute and reads on a phone. It shows only public facts:
the version and uptime, each platform connected or not and what it sent in the last hour, the
next reminders due (catalog facts: show, episode, due time) and each feed's health. Never a
chat id, a user id, a token or anyone's subscription."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

REFRESH_SECONDS = 60


@dataclass(frozen=True)
class PlatformStatus:
    name: str
    connected: bool
    sent_last_hour: int


@dataclass(frozen=True)
class DueReminder:
    show: str
    episode: int
    lead: str  # "1h before", "at air time"
    due: datetime  # UTC


@dataclass(frozen=True)
class FeedStatus:
    name: str
    healthy: bool
    failures: int


@dataclass(frozen=True)
class Status:
    version: str
    uptime: timedelta
    now: datetime
    platforms: Sequence[PlatformStatus]
    reminders: Sequence[DueReminder]
    feeds: Sequence[FeedStatus]


def uptime_text(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m" if hours else f"{minutes}m {rest % 60}s"


STYLE = """
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1rem;background:#f6f6f8;color:#1d1d1f}
main{max-width:40rem;margin:0 auto}
h1{font-size:1.5rem;margin:.2rem 0}
h2{font-size:1.1rem;margin:1.4rem 0 .4rem}
p.meta{color:#555;margin:.2rem 0 1rem}
ul{list-style:none;padding:0;margin:0}
li{background:#fff;border-radius:.6rem;padding:.6rem .8rem;margin:.4rem 0;box-shadow:0 1px 2px #0001}
.ok{color:#137333;font-weight:600}.bad{color:#b3261e;font-weight:600}
.due{color:#555;font-size:.9rem;display:block}
"""


def render_status(status: Status) -> str:
    platforms = "".join(
        f"<li><strong>{escape(p.name.title())}</strong>: "
        + ('<span class="ok">connected</span>' if p.connected else '<span class="bad">not connected</span>')
        + f" · {p.sent_last_hour} message{'s' if p.sent_last_hour != 1 else ''} sent in the last hour</li>"
        for p in status.platforms
    ) or "<li>No platform is configured.</li>"
    reminders = "".join(
        f"<li><strong>{escape(r.show)}</strong> episode {r.episode}"
        f'<span class="due">{r.lead}: due {r.due:%a %d %b %H:%M} UTC</span></li>'
        for r in status.reminders
    ) or "<li>No reminder is due in the next days.</li>"
    feeds = "".join(
        f"<li><strong>{escape(f.name)}</strong>: "
        + ('<span class="ok">healthy</span>' if f.healthy else f'<span class="bad">failing</span> ({f.failures} polls in a row)')
        + "</li>"
        for f in status.feeds
    ) or "<li>No news feed is configured.</li>"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<link rel="icon" href="data:,">
<title>dramabot status</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>dramabot status</h1>
<p class="meta">Version {escape(status.version)} · up {uptime_text(status.uptime)} · as of {status.now:%Y-%m-%d %H:%M} UTC</p>
<section id="platforms"><h2>Platforms</h2><ul>{platforms}</ul></section>
<section id="reminders"><h2>Next reminders due</h2><ul>{reminders}</ul></section>
<section id="feeds"><h2>News feeds</h2><ul>{feeds}</ul></section>
</main>
</body>
</html>
"""
