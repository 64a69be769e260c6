"""The terminal adapter: one private chat with its only user, who is also its admin.

Lines typed on standard input go to the core; replies, reminders and news print as plain
text on standard output. Standard input is read on the event loop (no thread) when it is a
terminal or a pipe.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from typing import TextIO

from bot.domain.interfaces import ChatRef, Inbox, IncomingMessage, Limits, Outgoing, Platform
from bot.domain.render import to_plain

log = logging.getLogger(__name__)

CHAT = "console"


def _pollable(stream: TextIO) -> bool:
    """Whether the event loop can wait on the stream: a terminal, a pipe or a socket."""
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return False
    return os.isatty(fd) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def _always_admin() -> bool:
    return True


class ConsoleAdapter:
    platform: Platform = "console"
    limits = Limits(in_flight=1)  # one terminal: messages print in order

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None):
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._task: asyncio.Task | None = None
        self.closed = asyncio.Event()  # set when standard input ends

    async def connect(self) -> None:
        pass

    async def listen(self, inbox: Inbox) -> None:
        self._print("dramabot console: type /help to begin, Ctrl-D to quit.")
        self._task = asyncio.get_running_loop().create_task(self._read(inbox))

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def send(self, chat: ChatRef, message: Outgoing) -> None:
        text = to_plain(message.body)
        self._print(text if message.kind == "reply" else f"[{message.kind}] {text}")

    async def _reply(self, inbox: Inbox, chat: ChatRef, out: Outgoing) -> None:
        async def show() -> None:
            await self.send(chat, out)

        await inbox.send_reply(chat, show)

    def _print(self, text: str) -> None:
        self._stdout.write(text + "\n")
        self._stdout.flush()

    async def _lines(self):
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        try:
            if not _pollable(self._stdin):
                raise ValueError("not a terminal, pipe or socket")
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), self._stdin)
        except (ValueError, OSError, AttributeError):
            # A regular file, /dev/null, or an object without a file descriptor: the event loop
            # cannot wait on it, so read it off the loop, line by line.
            while line := await loop.run_in_executor(None, self._stdin.readline):
                yield line
            return
        while line := await self._read_line(reader):
            yield line.decode("utf-8", errors="replace")

    @staticmethod
    async def _read_line(reader: asyncio.StreamReader) -> bytes:
        """The next line; a line longer than the reader's buffer limit comes back cut to its first
        part (the core then says it is too long) and the rest of it is skipped."""
        try:
            return await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as end:
            return end.partial  # the last line had no newline; b"" at the end
        except asyncio.LimitOverrunError as overrun:
            head = await reader.read(overrun.consumed)
        while True:
            try:
                await reader.readuntil(b"\n")
                return head
            except asyncio.IncompleteReadError:
                return head
            except asyncio.LimitOverrunError as overrun:
                await reader.read(max(1, overrun.consumed))

    async def _read(self, inbox: Inbox) -> None:
        chat = ChatRef("console", CHAT)
        try:
            async for line in self._lines():
                text = line.rstrip("\r\n")
                if not text.strip():
                    continue
                try:
                    reply = await inbox.handle(IncomingMessage(chat, CHAT, True, text, ask_admin=_always_admin))
                    if reply is not None:
                        await self._reply(inbox, chat, Outgoing("reply", reply.body))
                except Exception:
                    log.exception("handling %r failed", text[:80])
        finally:
            self.closed.set()
