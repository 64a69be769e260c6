"""dramabot's platform-neutral core. Nothing in here imports a platform library,
`adapters` or `scheduler`, except `bot.cli`, the composition root behind the `dramabot` command."""
