"""A fixture feed server on 127.0.0.1 (aiohttp, ephemeral port) in the shapes of K-drama news sites.

Routes: `/wp/feed/` (WordPress RSS 2.0: content:encoded, dc:creator, categories, numeric entities;
ETag and Last-Modified with 304), `/atom.xml` (Atom), `/gzip/feed/` (the WordPress feed gzipped),
`/moved` (one redirect to `/wp/feed/`), `/loop/a` and `/loop/b` (redirecting to each other),
`/away` (one redirect to the absolute URL in `away`).
Setting `mode` makes `/wp/feed/` misbehave until it is set back to "ok": "slow" (answers after
30 s), "500", "truncated" (the feed cut two thirds in), "html" (a web page), "loop" (a redirect
into the loop), "huge" (6 MB streamed without a length), "declared" (6 MB with a Content-Length),
"noetag" (no validators, never 304), "bomb" (a gzip bomb: 200 KB on the wire, 200 MB of zeros once
decompressed, sent with Content-Encoding: gzip). Every request is logged in `requests`.
"""

from __future__ import annotations

import asyncio
import functools
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from hashlib import sha1

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Item:
    """One news entry; `guid` defaults to the WordPress "?p=N" form."""

    title: str
    link: str
    published: datetime
    summary: str = ""
    content: str = ""
    guid: str = ""
    categories: tuple[str, ...] = ()
    creator: str = "Staff Writer"


def wordpress_rss(items: list[Item], site: str = "https://kdrama-news.example.test") -> str:
    """An RSS 2.0 document as WordPress writes it (titles escaped with numeric entities)."""
    entries = "".join(
        f"""
    <item>
      <title>{item.title}</title>
      <link>{item.link}</link>
      <dc:creator><![CDATA[{item.creator}]]></dc:creator>
      <pubDate>{format_datetime(item.published)}</pubDate>
      {"".join(f"<category><![CDATA[{c}]]></category>" for c in item.categories)}
      <guid isPermaLink="false">{item.guid or item.link}</guid>
      <description><![CDATA[{item.summary}]]></description>
      <content:encoded><![CDATA[{item.content or "<p>" + item.summary + "</p>"}]]></content:encoded>
    </item>"""
        for item in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>K-Drama News Example</title>
    <link>{site}</link>
    <description>Drama news, ratings and casting</description>
    <language>en-US</language>
    <generator>https://wordpress.org/?v=6.5</generator>{entries}
  </channel>
</rss>
"""


def atom_feed(items: list[Item]) -> str:
    entries = "".join(
        f"""
  <entry>
    <title type="html">{item.title}</title>
    <link rel="alternate" href="{item.link}"/>
    <id>{item.guid or item.link}</id>
    <updated>{item.published.isoformat()}</updated>
    <author><name>{item.creator}</name></author>
    <summary type="html">{item.summary}</summary>
  </entry>"""
        for item in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Drama Wire Example</title>
  <id>tag:drama-wire.example.test,2022:feed</id>
  <updated>2022-12-23T00:00:00Z</updated>{entries}
</feed>
"""


HTML_PAGE = "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>Site moved</h1></body></html>"
HUGE_BYTES = 6_000_000
BOMB_BYTES = 200_000_000  # decompressed


@functools.cache
def gzip_bomb() -> bytes:
    """BOMB_BYTES of zeros, gzipped (about 200 KB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    zeros = bytes(1_000_000)
    return b"".join([*(packer.compress(zeros) for _ in range(BOMB_BYTES // len(zeros))), packer.flush()])


@dataclass
class FeedServer:
    """The running server: change `wordpress` or `atom` items between polls; read `requests`."""

    wordpress: list[Item] = field(default_factory=list)
    atom: list[Item] = field(default_factory=list)
    requests: list[web.Request] = field(default_factory=list)
    mode: str = "ok"
    away: str = ""  # where /away redirects to
    base: str = ""
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return self.base + path

    async def start(self) -> FeedServer:
        app = web.Application(middlewares=[self._log])
        app.router.add_get("/wp/feed/", self._wordpress)
        app.router.add_get("/gzip/feed/", self._gzip)
        app.router.add_get("/atom.xml", self._atom)
        for path, to in (("/moved", "/wp/feed/"), ("/loop/a", "/loop/b"), ("/loop/b", "/loop/a")):
            app.router.add_get(path, self._redirect_to(to))
        app.router.add_get("/away", self._away)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _log(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(request)
        return await handler(request)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    async def _wordpress(self, request: web.Request) -> web.StreamResponse:
        if self.mode == "slow":
            return await self._slow(request)
        if self.mode == "500":
            return web.Response(status=500, text="Internal Server Error")
        if self.mode == "truncated":
            body = wordpress_rss(self.wordpress)
            return self._text(body[: len(body) * 2 // 3], "application/rss+xml")
        if self.mode == "html":
            return self._text(HTML_PAGE, "text/html")
        if self.mode == "loop":
            return self._redirect("/loop/a")
        if self.mode == "huge":
            return await self._huge(request)
        if self.mode == "declared":
            return web.Response(body=b" " * HUGE_BYTES, content_type="application/rss+xml")
        if self.mode == "bomb":
            return web.Response(body=gzip_bomb(), headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
        if self.mode == "noetag":
            return self._text(wordpress_rss(self.wordpress), "application/rss+xml")
        return self._conditional(request, wordpress_rss(self.wordpress), "application/rss+xml; charset=UTF-8")

    async def _atom(self, request: web.Request) -> web.StreamResponse:
        return self._conditional(request, atom_feed(self.atom), "application/atom+xml")

    def _conditional(self, request: web.Request, body: str, content_type: str) -> web.StreamResponse:
        etag = '"' + sha1(body.encode()).hexdigest()[:16] + '"'
        modified = "Fri, 23 Dec 2022 00:00:00 GMT"
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=body.encode(), headers={"ETag": etag, "Last-Modified": modified, "Content-Type": content_type}
        )

    async def _gzip(self, request: web.Request) -> web.StreamResponse:
        response = web.Response(body=wordpress_rss(self.wordpress).encode(), content_type="application/rss+xml")
        response.enable_compression(web.ContentCoding.gzip)
        return response

    @staticmethod
    def _redirect(to: str) -> web.Response:
        return web.Response(status=302, headers={"Location": to})

    def _redirect_to(self, to: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            return self._redirect(to)

        return handler

    async def _away(self, request: web.Request) -> web.Response:
        return self._redirect(self.away)

    @staticmethod
    def _text(body: str, content_type: str) -> web.Response:
        return web.Response(text=body, content_type=content_type)

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        try:
            await asyncio.wait_for(self._stopping.wait(), 30)
        except TimeoutError:
            pass
        return self._text(wordpress_rss(self.wordpress), "application/rss+xml")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel><!-- ')
        chunk = b"x" * 65536
        sent = 0
        while sent < HUGE_BYTES:
            await response.write(chunk)
            sent += len(chunk)
        await response.write(b" --></channel></rss>")
        await response.write_eof()
        return response
