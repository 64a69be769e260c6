## /channel ping, /channel events, /share, /start, /news.

ping-off = Reminders here mention no one. Pick a role with /channel ping <role> to notify its members.
ping-bad = Pick one role, e.g. /channel ping @Drama Fans, or /channel ping without a role to stop.
ping-on = Reminders here will mention the role you picked. /channel ping without a role stops that.
events-usage = Usage: /channel events on, or /channel events off.
events-off = I will no longer list this chat's episodes as server events (those already listed are removed).
events-on = Every episode this chat follows in the next { $days } days will be listed as a server event, kept in step with the schedule, so members can mark themselves interested.
start-unknown = That link names no show or actor I know (it may be out of date). Try /subscribe with its name.
share-none = I cannot make a link for { $name }; fans can type /subscribe { $typed }.
share-link = Share this link: whoever opens it and taps Start follows { $name }:
news-empty = This chat follows nothing yet, so it has no news. Try /news The Interest of Love, or { $subscribe } to a show or actor first.
news-none = No news about { $about } has come in yet.
news-none-followed = No news about what this chat follows has come in yet.
news-head = The latest news about { $about }:
news-head-followed = The latest news about what this chat follows:
news-line = { $feed }, { $date }
