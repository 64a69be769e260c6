"""A fake TVmaze on 127.0.0.1 (aiohttp, ephemeral port), serving JSON in TVmaze's shapes.

Written for the tests: "The River Runs Test" (id 7001), a Korean drama on JTBC airing Wednesday
and Thursday at 22:30 KST from 2027-01-06, 16 episodes; "Midnight Stream Test" (7002), a
streaming show on a web channel whose episodes have dates and no air times; "Old Harbor Test"
(7003), ended; three shows called "Star River ..." (7010-7012) that a search cannot tell apart;
and the actor "Han Seo Jin Test" (9001), cast in 7001 and 7003.

Routes: `/search/shows?q=`, `/search/people?q=`, `/shows/:id?embed[]=episodes&embed[]=akas`,
`/shows/:id/episodes`, `/people/:id`, `/people/:id/castcredits?embed=show`. `fail` is a list of
modes the next requests get, one each: "429" (Retry-After: 1), "500", "garbage" (malformed
JSON), "slow" (answers after 30 s). Every request is logged in `requests` as (`clock()`, path);
`clock` is the loop's time unless a test sets its own.
"""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web

KST_OFFSET = timedelta(hours=9)


def weekly_episodes(first_id: int, premiere: date, count: int, days=(2, 3), at=(22, 30), offset=KST_OFFSET) -> list[dict]:
    """Episodes on the given weekdays (Wednesday = 2) at a local time, from the premiere on."""
    episodes, day = [], premiere
    while len(episodes) < count:
        if day.weekday() in days:
            local = datetime(day.year, day.month, day.day, *at)
            stamp = (local - offset).replace(tzinfo=UTC)
            number = len(episodes) + 1
            episodes.append({
                "id": first_id + number, "name": f"Episode {number}", "season": 1, "number": number, "type": "regular",
                "airdate": day.isoformat(), "airtime": f"{at[0]:02d}:{at[1]:02d}",
                "airstamp": stamp.isoformat().replace("+00:00", "+00:00"), "runtime": 70,
            })
        day += timedelta(days=1)
    return episodes


def korean_network(name: str) -> dict:
    return {"id": 268, "name": name, "country": {"name": "Korea, Republic of", "code": "KR", "timezone": "Asia/Seoul"}}


def show(show_id: int, name: str, *, network: dict | None, web_channel: dict | None = None, status: str = "Running",
         premiered: str = "2027-01-06", episodes: list[dict] | None = None, akas: list[dict] | None = None) -> dict:
    return {
        "id": show_id, "url": f"https://www.tvmaze.com/shows/{show_id}", "name": name, "type": "Scripted",
        "language": "Korean", "genres": ["Drama", "Romance"], "status": status, "runtime": 70, "averageRuntime": 70,
        "premiered": premiered, "schedule": {"time": "22:30", "days": ["Wednesday", "Thursday"]},
        "network": network, "webChannel": web_channel, "_embedded": {"episodes": episodes or [], "akas": akas or []},
    }


def streaming_episodes(first_id: int, first: date, count: int) -> list[dict]:
    return [{
        "id": first_id + n, "name": f"Part {n}", "season": 1, "number": n, "type": "regular",
        "airdate": (first + timedelta(days=7 * (n - 1))).isoformat(), "airtime": "",
        "airstamp": (first + timedelta(days=7 * (n - 1))).isoformat() + "T12:00:00+00:00", "runtime": 50,
    } for n in range(1, count + 1)]


def catalog() -> tuple[dict[int, dict], dict[int, dict]]:
    netflix = {"id": 1, "name": "Netflix", "country": None}
    shows = {
        7001: show(7001, "The River Runs Test", network=korean_network("JTBC"),
                   episodes=weekly_episodes(700100, date(2027, 1, 6), 16),
                   akas=[{"name": "Le fleuve coule", "country": {"name": "France", "code": "FR"}},
                         {"name": "강은 흐른다", "country": {"name": "Korea, Republic of", "code": "KR"}}]),
        7002: show(7002, "Midnight Stream Test", network=None, web_channel=netflix, premiered="2027-01-08",
                   episodes=streaming_episodes(700200, date(2027, 1, 8), 4)),
        7003: show(7003, "Old Harbor Test", network=korean_network("tvN"), status="Ended", premiered="2020-03-04",
                   episodes=weekly_episodes(700300, date(2020, 3, 4), 16)),
    }
    for i, (network, year) in enumerate((("KBS2", "2027"), ("MBC", "2019"), ("SBS", "2023"))):
        show_id = 7010 + i
        shows[show_id] = show(show_id, f"Star River {['Lights', 'Lights', 'Lanterns'][i]}", network=korean_network(network),
                              premiered=f"{year}-02-01", status="Ended" if year != "2027" else "Running")
    people = {9001: {"id": 9001, "name": "Han Seo Jin Test", "country": {"code": "KR"}, "birthday": "1994-05-05",
                     "credits": [7001, 7003]}}
    return shows, people


class FakeTvmaze:
    def __init__(self) -> None:
        self.shows, self.people = catalog()
        self.fail: list[str] = []
        self.requests: list[tuple[float, str]] = []
        self.cache_control = ""  # set to "public, max-age=3600" to let the client cache
        self.clock = lambda: asyncio.get_running_loop().time()  # what `requests` stamps each request with
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.url = ""

    async def __aenter__(self) -> FakeTvmaze:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/search/shows", self._search_shows)
        app.router.add_get("/search/people", self._search_people)
        app.router.add_get("/shows/{id}", self._show)
        app.router.add_get("/shows/{id}/episodes", self._episodes)
        app.router.add_get("/people/{id}", self._person)
        app.router.add_get("/people/{id}/castcredits", self._credits)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def episodes(self, show_id: int) -> list[dict]:
        return self.shows[show_id]["_embedded"]["episodes"]

    @web.middleware
    async def _middleware(self, request: web.Request, handler) -> web.StreamResponse:
        self.requests.append((self.clock(), request.path_qs))
        mode = self.fail.pop(0) if self.fail else "ok"
        if mode == "429":
            return web.json_response({"name": "Too Many Requests", "status": 429}, status=429, headers={"Retry-After": "1"})
        if mode == "500":
            return web.json_response({"name": "Internal Server Error", "status": 500}, status=500)
        if mode == "garbage":
            return web.Response(text='[{"score": 0.9, "show": {"id": 70', content_type="application/json")
        if mode == "slow":  # 30 s, or until the server closes
            try:
                await asyncio.wait_for(self._closing.wait(), 30)
            except TimeoutError:
                pass
        response = await handler(request)
        if self.cache_control:
            response.headers["Cache-Control"] = self.cache_control
        return response

    def _json(self, body: Any) -> web.Response:
        return web.json_response(body)

    @staticmethod
    def _score(query: str, name: str) -> float:
        q, n = query.lower().strip(), name.lower()
        if q == n:
            return 0.95
        return round(0.3 + 0.5 * len(q) / len(n), 3) if q in n else 0.0

    def _bare(self, raw: dict) -> dict:
        bare = copy.deepcopy(raw)
        bare.pop("_embedded", None)
        return bare

    async def _search_shows(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "")
        found = [{"score": self._score(q, s["name"]), "show": self._bare(s)} for s in self.shows.values()]
        return self._json(sorted((f for f in found if f["score"] > 0), key=lambda f: -f["score"]))

    async def _search_people(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "")
        found = [{"score": self._score(q, p["name"]), "person": self._person_json(p)} for p in self.people.values()]
        return self._json([f for f in found if f["score"] > 0])

    def _person_json(self, person: dict) -> dict:
        return {k: v for k, v in person.items() if k != "credits"}

    async def _show(self, request: web.Request) -> web.Response:
        raw = self.shows.get(int(request.match_info["id"]))
        if raw is None:
            return web.json_response({"name": "Not Found", "status": 404}, status=404)
        embeds = set(request.query.getall("embed[]", [])) | set(request.query.getall("embed", []))
        if "episodes" not in embeds:
            return self._json(self._bare(raw))
        shown = copy.deepcopy(raw)
        if "akas" not in embeds:
            shown.get("_embedded", {}).pop("akas", None)
        return self._json(shown)

    async def _episodes(self, request: web.Request) -> web.Response:
        raw = self.shows.get(int(request.match_info["id"]))
        return self._json(raw["_embedded"]["episodes"]) if raw else web.json_response({}, status=404)

    async def _person(self, request: web.Request) -> web.Response:
        person = self.people.get(int(request.match_info["id"]))
        return self._json(self._person_json(person)) if person else web.json_response({}, status=404)

    async def _credits(self, request: web.Request) -> web.Response:
        person = self.people.get(int(request.match_info["id"]))
        if person is None:
            return web.json_response({}, status=404)
        return self._json([{"self": True, "voice": False, "_embedded": {"show": self._bare(self.shows[i])}}
                           for i in person["credits"]])
