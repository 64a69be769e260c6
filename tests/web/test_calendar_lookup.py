"""An unknown calendar link costs what a known one does to look up: the server asks the database
exactly once, by the SHA-256 of the token, whether the token is known, near a known one, or
replaced by a reset (no comparison on the token itself that could end early)."""

from __future__ import annotations

from bot.app.calendars import token_hash
from tests.web.helpers import LINK, get, link_in
from tests.web.test_calendar_feed import calendar_story


async def test_known_unknown_and_reset_tokens_each_take_one_lookup_by_hash(make_story, monkeypatch):
    story, fan, _, port = await calendar_story(make_story)
    store = story.sim.process.core.store
    asked: list[str] = []
    lookup = store.calendar_chat

    async def calendar_chat(hashed: str):
        asked.append(hashed)
        return await lookup(hashed)

    monkeypatch.setattr(store, "calendar_chat", calendar_chat)
    old = link_in(await fan.say("/calendar"))
    new = link_in(await fan.say("/calendar reset"))
    token = LINK.search(new).group(2)
    near = token[:-1] + ("A" if token[-1] != "A" else "B")  # one character off the fan's token
    tries = [(new, 200), (old, 404), (new.replace(token, near), 404), (f"http://127.0.0.1:{port}/cal/{'A' * 43}.ics", 404)]

    for url, status in tries:
        asked.clear()
        assert (await get(url))[0] == status
        assert asked == [token_hash(LINK.search(url).group(2))], url  # one lookup, by hash, whatever the answer
