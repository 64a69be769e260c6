"""Loading the configuration in layers: the defaults, then the TOML file, then the environment.

Every key may also come from an environment variable, `DRAMABOT_` and the key's path joined by
`__` (`DRAMABOT_DATABASE`, `DRAMABOT_TELEGRAM__MESSAGES_PER_SECOND`), read by pydantic-settings'
environment source; a value is read as a TOML value (`25`, `true`, `["30m", "1h"]`), except for
text keys, which take it as it is. The token variables from before (`DRAMABOT_TELEGRAM_TOKEN`,
`DRAMABOT_DISCORD_TOKEN`) still work. Each bad key stops start-up with a line naming it, and the
file or the variable it came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import EnvSettingsSource

from ..domain.dbfile import NotSqlite, sqlite_path
from ..domain.tomlfile import read_toml
from .sections import KEYS, Config
from .values import KeyProblem


class ConfigError(ValueError):
    """A bad configuration; the message names the key."""


ENV_TOKENS = {"telegram": "DRAMABOT_TELEGRAM_TOKEN", "discord": "DRAMABOT_DISCORD_TOKEN"}  # older than "__" nesting


def load_config(path: str | Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file (None: defaults only), then the environment (None: this process's)."""
    raw: dict[str, Any] = {}
    source = "<defaults>"
    if path:
        source = str(path)
        raw = _beside(read_toml(Path(path), ConfigError, "config"), Path(path).expanduser().parent)
    return parse_config(raw, source, os.environ if env is None else env)


def parse_config(raw: Mapping[str, Any], source: str = "<memory>", env: Mapping[str, str] | None = None) -> Config:
    """A config from TOML values in `raw`, with `env`'s DRAMABOT_* variables over them (None: no environment)."""
    if "source" in raw:
        raise ConfigError(_line(source, ("source",), _unknown(())))
    layer = _environment(env) if env else {}
    try:
        return Config(**_merged(dict(raw), layer), source=source)
    except ValidationError as exc:
        raise ConfigError("\n".join(_problems(exc, source, env or {}))) from None


def _beside(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    """Paths written in a config file are relative to that file, wherever the bot starts."""

    def place(written: str) -> str:
        path = Path(written).expanduser()
        return str(path if path.is_absolute() else base / path)

    placed = dict(raw)
    database, catalog = raw.get("database"), raw.get("catalog")
    if isinstance(database, str) and database.strip():
        try:
            placed["database"] = place(sqlite_path(database))
        except NotSqlite:
            pass  # refused, naming the key, when the config is checked
    if isinstance(catalog, str) and catalog:
        placed["catalog"] = place(catalog)
    web = raw.get("web")
    if isinstance(web, dict) and isinstance(web.get("calendar_key_file"), str) and web["calendar_key_file"]:
        placed["web"] = {**web, "calendar_key_file": place(web["calendar_key_file"])}
    return placed


class _Environment(EnvSettingsSource):
    """pydantic-settings' reading of the variables `Config.model_config` names (prefix, "__"
    between a section and its key, any case, empty ones ignored), from a given mapping rather than
    always os.environ, leaving every value as text for `_typed` to read."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(Config)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {
            (name if self.case_sensitive else name.lower()): value
            for name, value in self._environ.items()
            if value or not self.env_ignore_empty
        }

    def decode_complex_value(self, field_name: str, field: FieldInfo | None, value: Any) -> Any:
        return value  # read as TOML by _typed, not as JSON


def _environment(env: Mapping[str, str]) -> dict[str, Any]:
    layer = {key: value for key, value in _Environment(env)().items() if key in KEYS}
    for section, name in ENV_TOKENS.items():
        if env.get(name) and not isinstance(layer.get(section, {}), str):
            layer[section] = {"token": env[name], **layer.get(section, {})}
    return _typed(Config, layer)


def _typed(model: type[BaseModel], layer: dict[str, Any]) -> dict[str, Any]:
    """Environment text read as TOML values where the key is not text (numbers, true, lists...)."""
    typed: dict[str, Any] = {}
    for key, value in layer.items():
        field = model.model_fields.get(key)
        kind = field.annotation if field else None
        if isinstance(value, str) and kind is not str and field is not None:
            value = _toml_value(value)
        if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(value, dict):
            value = _typed(kind, value)
        typed[key] = value
    return typed


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text  # "Asia/Seoul", "15m", "auto": taken as written


def _merged(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _merged(dict(base[key]), value)
        else:
            base[key] = value
    return base


def _problems(exc: ValidationError, source: str, env: Mapping[str, str]) -> list[str]:
    """One line per bad key, naming it and where it came from."""
    lines = []
    for error in exc.errors():
        path = tuple(str(part) for part in error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, KeyProblem):
            path += (cause.key,)
        if error["type"] == "extra_forbidden":
            problem = _unknown(path[:-1])
        elif error["type"] == "model_type":
            problem = f"expected a [{path[-1]}] table"
        else:
            problem = str(cause) if isinstance(cause, ValueError) else error["msg"]
        lines.append(_line(_variable(path, env) or source, path, problem))
    return lines


def _line(where: str, path: tuple[str, ...], problem: str) -> str:
    return f"{where}: key {'.'.join(path)!r}: {problem}"


def _unknown(section: tuple[str, ...]) -> str:
    model: Any = Config
    for part in section:
        model = model.model_fields[part].annotation
    known = sorted(KEYS if model is Config else model.model_fields)
    return f"unknown key (known: {', '.join(known)})"


def _variable(path: tuple[str, ...], env: Mapping[str, str]) -> str | None:
    """The environment variable that set the key at `path`, if one did."""
    names = ["DRAMABOT_" + "__".join(path).upper()]
    if len(path) == 2 and path[1] == "token" and path[0] in ENV_TOKENS:
        names.append(ENV_TOKENS[path[0]])
    given = {name.upper() for name, value in env.items() if value}
    return next((f"environment variable {name}" for name in names if name in given), None)
