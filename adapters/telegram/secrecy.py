"""Keeping the bot token (and the webhook secret) out of every log line and error message.

The token is part of every Bot API URL, and httpx logs request URLs at INFO; python-telegram-bot
writes it into `InvalidToken` messages. `protect` silences httpx's request lines and wraps the
logging record factory once, so any record whose message or traceback holds a protected string
has it replaced by "<hidden>" before any handler sees it, at every level, DEBUG included.
"""

from __future__ import annotations

import logging

HIDDEN = "<hidden>"
_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, HIDDEN)
    return text


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: logging reports it itself
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        cleaned = redact(text)
        if cleaned != text:
            record.exc_text = cleaned
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def protect(*secrets: str) -> None:
    """From now on these strings never appear in a log record."""
    global _installed
    _secrets.update(s for s in secrets if s)
    for name in ("httpx", "httpcore"):  # request lines carry the token in their URL
        logging.getLogger(name).setLevel(logging.WARNING)
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _secrets:
            _scrub(record)
        return record

    logging.setLogRecordFactory(factory)
