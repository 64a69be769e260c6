## Command, option and menu descriptions, and /help.

cmd-subscribe = follow a show or an actor: reminders and news
cmd-unsubscribe = stop following a show or actor
cmd-subscriptions = what this chat follows, with lead times and zone
cmd-timezone = show or set the time zone reminders are written in
cmd-remind = show or set how long before an episode reminders come
cmd-next = the next episode, with local time and countdown
cmd-schedule = what this chat follows in the next 7 days
cmd-share = a link that subscribes whoever opens it
cmd-help = what I can do
cmd-start = greet, or follow what a shared link names
cmd-language = show or set my language here
cmd-calendar = your calendar link
cmd-channel = admin settings for this group or server channel
cmd-channel-subscribe = make this chat follow a show or actor
cmd-channel-unsubscribe = stop this chat following a show or actor
cmd-channel-list = what this chat follows
cmd-channel-timezone = set this chat's time zone
cmd-channel-remind = set this chat's lead times
cmd-channel-ping = make this chat's reminders mention a role (none: stop)
cmd-channel-events = the next 7 days' episodes as server events
cmd-channel-language = set my language here
cmd-channel-calendar = this chat's calendar link
cmd-news = the five latest articles on a show, an actor or what this chat follows
cmd-feeds = the news feeds polled, with their health (bot owners)
cmd-feeds-list = every feed, its health and last new article
cmd-feeds-add = poll an RSS or Atom feed (checked first)
cmd-feeds-remove = stop polling a feed added with /feeds add
cmd-show = correct the catalog (the bot's owners)
cmd-show-skip = a pre-empted broadcast: no episode that date
cmd-show-move = an episode airs at another date and time

## Slash command options (Discord)

arg-name = a title, alias or actor name; Hangul works
arg-zone = an IANA zone like America/New_York, or a city like Seoul
arg-leads = one to three of 30m, 1h, 1h30m, 1d, 0m
arg-role = the role whose members reminders here mention; leave out to stop
arg-state = on: list upcoming episodes as server events; off: stop
arg-url = the feed's address: https://...
arg-feed-name = what to call the feed (default: its site, like soompi.com)
arg-payload = what a shared link carries
arg-language = en or ko (English, 한국어)
arg-action = reset: a new link; the old one stops working at once
arg-show_date = a show and a date like 2026-03-08
arg-show_move = e.g. Night Owl 3 2026-03-09 23:50

menu-group = { $description }: /{ $command } { $subcommands } (admins)

help-intro = I remind you before every broadcast of the K-dramas you follow, in your time zone, and pass on their news.
help-line = { $usage }: { $description }
help-line-admins = { $usage }: { $description } (admins)
help-line-owners = { $usage }: { $description } (owners)
help-credit = Live schedules: TVmaze (tvmaze.com), CC BY-SA.

## Replies every command may give.

error-internal = Sorry, something went wrong on my side. Please try again later.
error-starting-up = I am starting up; try again in a moment.
error-unknown-command = I don't know the command { $command }. Type /help to see the commands.
error-group-only = /{ $command } commands set up a group chat or server channel. Here, use /subscribe, /timezone and /remind for yourself.
error-use-one-of = Use one of: { $options }.
error-no-subcommand = /{ $command } has no { $typed }. Use one of: { $options }.
error-usage = Usage: { $usage }.
error-too-long = That message is { $length } characters long; commands are at most { $limit }. Type /help to see them.
error-not-a-command = I answer commands that start with /. Type /help to see them.
refused-admins = Only admins of this chat can do that (Discord: Manage Server; Telegram: group administrator). Nothing was changed.
refused-owners = Only the bot's owners can use /{ $command }: it changes what every chat gets. Nothing was changed.
restarting = I am restarting; try again in a minute.
notice-resumed = Delivery to this chat had been paused ({ $reason }); it is back on now.
notice-paused = Your reminders and news are paused: { $reason }.

## /language

language-current = I write here in { $name }. Change it with /language en or /language ko (English, 한국어).
language-set = From now on I write here in { $name }.
language-unknown = I cannot write in { $typed } yet. Choose /language en or /language ko (English, 한국어).
