"""Reading a TOML file (the configuration, the catalog): one line naming the file on any failure."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: Path, error: type[ValueError], what: str) -> dict[str, Any]:
    """Parse a TOML file; any failure raises `error` with the file named, on one line."""
    try:
        text = path.read_text(encoding="utf-8")
        if text.startswith("\ufeff"):
            raise error(
                f"{path}: the {what} file starts with a UTF-8 byte-order mark, which TOML does not allow; "
                "save it as UTF-8 without BOM"
            )
        return tomllib.loads(text)
    except RecursionError:
        raise error(f"{path}: not valid {what}: arrays or tables are nested too deeply") from None
    except FileNotFoundError:
        raise error(f"{path}: {what} file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None
