"""Commands as data, once for every platform, and their handlers, one module per feature.

- `spec`: `Command`, `Argument`, the checks (`ADMIN`, `OWNER`) and the `Context` a handler gets.
- `ports`: the narrow services handlers use (Protocols the core implements); no handler sees the core.
- `registry`: `COMMANDS`, the one list every feature's specs are assembled into; the Discord and
  Telegram adapters generate their bindings from it.
- `parse`: a typed line read as a path and options.
- `checks`: the spec's checks evaluated and refused, in one place, with one message per check.
- `run`: `respond` to a typed line, `execute` a path and options (a slash command, a tapped choice).
- Handlers: `subscriptions`, `settings`, `channel`, `schedule`, `news`, `owner`, `links`, `help`.

Every handler either changes state through its services and says so, or explains what was wrong
and what to type instead, changing nothing.
"""

from ..domain.render import Message
from .checks import ADMINS_ONLY, owners_only, refusal
from .links import payload_target, share_payload
from .parse import MAX_TEXT
from .ports import Services
from .registry import BY_NAME, COMMANDS, resolve
from .run import execute, respond
from .spec import ADMIN, NAME, OWNER, Argument, Check, Command, Context, Handler

__all__ = [
    "ADMIN", "ADMINS_ONLY", "BY_NAME", "COMMANDS", "MAX_TEXT", "NAME", "OWNER", "Argument", "Check", "Command",
    "Context", "Handler", "Message", "Services", "execute", "owners_only", "payload_target", "refusal", "resolve",
    "respond", "share_payload",
]
