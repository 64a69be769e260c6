"""The outside world's data made into the domain's: TVmaze (HTTP client and parsing), news feeds
(parsing), and the catalog's sources (bundled file, imports, edits). Imports only bot.domain."""
