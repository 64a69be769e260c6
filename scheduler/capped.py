"""A response body read up to a size cap, decompressed by us, never past the cap.

httpx decodes gzip one network chunk at a time and each chunk whole: 64 KB of a gzip bomb
becomes 64 MB in memory before anyone can count it. Here the raw bytes are decompressed with
`max_length`, so no more than the cap (plus one byte, to know it was passed) is ever produced.
Only what `ACCEPT_ENCODING` asks for is decoded; any other Content-Encoding is a failure.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(Exception):
    """The body passed the cap (after decompression); what was read is dropped."""


class BadEncoding(Exception):
    """A Content-Encoding not asked for, or a compressed body that does not decompress (`encoding`)."""

    def __init__(self, text: str, encoding: str):
        super().__init__(text)
        self.encoding = encoding


class _Inflater:
    def __init__(self, encoding: str):
        self.encoding = encoding
        # gzip: its header; deflate: zlib's header, else (as some servers send it) raw deflate
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Decompress `data`, at most room + 1 bytes of output."""
        try:
            out = self._z.decompress(data, room + 1)
        except zlib.error:
            if self.encoding != "deflate" or self._started:
                raise BadEncoding(f"the {self.encoding} body does not decompress", self.encoding) from None
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            self._started = True
            return self.feed(data, room)
        self._started = True
        return out

    def rest(self, room: int) -> bytes:
        try:
            return self._z.decompress(self._z.unconsumed_tail, room + 1) + self._z.flush()
        except zlib.error:
            raise BadEncoding(f"the {self.encoding} body does not decompress", self.encoding) from None


async def read_capped(raw: AsyncIterator[bytes], content_encoding: str, limit: int) -> bytes:
    """The decoded body of a response whose raw (undecoded) bytes `raw` yields; BodyTooLarge as
    soon as it passes `limit` bytes, BadEncoding for an encoding not asked for or a broken one."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        inflater = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater("deflate" if encoding == "deflate" else "gzip")
    else:
        raise BadEncoding(f"Content-Encoding {content_encoding[:40]!r} was not asked for", content_encoding[:40])
    chunks: list[bytes] = []
    size = 0
    async for data in raw:
        piece = data if inflater is None else inflater.feed(data, limit - size)
        size += len(piece)
        if size > limit:
            raise BodyTooLarge
        chunks.append(piece)
    if inflater is not None:
        piece = inflater.rest(limit - size)
        size += len(piece)
        if size > limit:
            raise BodyTooLarge
        chunks.append(piece)
    return b"".join(chunks)
