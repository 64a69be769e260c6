"""The contract: the live catalog's imports, owners' edits, change notices, and metadata."""

from bot.storage.values import CatalogChange, Import, StoredEdit, StoredNotice


async def test_a_catalog_change_is_kept_whole_and_its_notices_announced_once(storage):
    await storage.save_catalog_change(CatalogChange(
        imports=[Import("show", "tvmaze:1", '{"id": 1}', False, 500), Import("person", "tvmaze:person:2", '{"id": 2}', False, 900)],
        edits=[StoredEdit("tvmaze:1", "skip", "2026-01-02", None, None), StoredEdit("tvmaze:1", "move", "2026-01-03", 4, "21:00")],
        notices=[StoredNotice("moved|tvmaze:1|4", "tvmaze:1", '{"n": 1}', 1000)],
    ), now=100)
    await storage.save_catalog_change(CatalogChange(  # the same notice again is kept as it was
        imports=[Import("show", "tvmaze:1", '{"id": 1, "ended": true}', True, None)],
        notices=[StoredNotice("moved|tvmaze:1|4", "tvmaze:1", '{"n": 2}', 2000)],
    ), now=200)
    assert await storage.imports("show") == ['{"id": 1, "ended": true}'] and await storage.imports("person") == ['{"id": 2}']
    assert [tuple(e) for e in await storage.edits()] == [
        ("tvmaze:1", "skip", "2026-01-02", None, None), ("tvmaze:1", "move", "2026-01-03", 4, "21:00"),
    ]
    assert await storage.next_import_refresh() == 900  # an ended show is never read again
    assert await storage.due_imports(now=900) == [("person", "tvmaze:person:2")]
    await storage.schedule_refresh(kind="person", key="tvmaze:person:2", at=5000)
    assert await storage.due_imports(now=900) == []
    assert await storage.pending_notices(now=300) == ['{"n": 1}']
    assert await storage.notice("moved|tvmaze:1|4") == '{"n": 1}'
    await storage.notice_announced(notice="moved|tvmaze:1|4", now=301)
    assert await storage.pending_notices(now=302) == []
    assert await storage.prune(before=1001) == 0 and await storage.notice("moved|tvmaze:1|4") is None  # as old as its deliveries


async def test_metadata_is_kept_by_name(backend):
    storage = await backend.open()
    assert await storage.get_meta("progress") is None
    await storage.set_meta(name="progress", value="100")
    await storage.set_meta(name="progress", value="200")
    await storage.close()
    assert await (await backend.open()).get_meta("progress") == "200"
