"""Configuration: typed sections (pydantic-settings), read from the defaults, then a TOML file (every
key optional), then DRAMABOT_* environment variables, each layer over the one before.

Unknown keys and bad values stop start-up with a message naming the key. The documented defaults
live in `config.example.toml`; the sections' defaults must agree with it (a test checks).
"""

from .load import ENV_TOKENS, ConfigError, load_config, parse_config
from .sections import Config, DeliveryConfig, DiscordConfig, NewsConfig, TelegramConfig, TvmazeConfig, WebConfig
from .values import FEED_NAME_MAX, FeedConfig, feed_name, feed_name_problem

__all__ = [
    "ENV_TOKENS", "FEED_NAME_MAX", "Config", "ConfigError", "DeliveryConfig", "DiscordConfig", "FeedConfig", "NewsConfig",
    "TelegramConfig", "TvmazeConfig", "WebConfig", "feed_name", "feed_name_problem", "load_config", "parse_config",
]
