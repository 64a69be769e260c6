"""The bottom floor: pure values and rules (the catalog, names, news matching, zones, messages,
job keys, pacing...). Nothing here imports another floor of the bot; see docs/architecture.md."""
