## The owners' commands: /show skip, /show move (catalog corrections) and /feeds (the news feeds).
## $title and $name are bold names; $day is a date like 2026-03-08; $zone the show's time zone.

show-unknown = No show called { $name }.
show-unknown-guess = No show called { $name } (did you mean { $labels }?).
show-skip-usage = Usage: /show skip <show> <date>, e.g. /show skip Night Owl Test 2026-03-08.
show-move-usage = Usage: /show move <show> <episode> <date> <time>, e.g. /show move Night Owl Test 3 2026-03-09 23:50.
show-no-broadcast = { $title } has no broadcast on { $day } ({ $zone }). Nothing was changed.
show-no-episode = { $title } has no episode { $episode }. Nothing was changed.
show-skipped = Done: { $title } does not air on { $day } ({ $zone }). { $told }
show-moved = Done: { $title } episode { $episode } airs { $when }. { $told }
show-told = Its followers are told.
show-told-nobody = Nothing changes for anyone (no broadcast ahead moved).

feeds-none = No news feeds are polled. Add one with /feeds add <url> [name], or list them in the config's [news] feeds.
feeds-head = News feeds ({ $count }), each polled every { $minutes } minutes:
feeds-more = …and { $left } more.
feeds-line = • { $name } ({ $origin ->
        [config] config
       *[added] added
    }) { $url }: { $health }; last new article { $title }, { $countdown }
feeds-line-quiet = • { $name } ({ $origin ->
        [config] config
       *[added] added
    }) { $url }: { $health }; no new article yet
feed-health-new = not polled yet
feed-health-ok = healthy
feed-error-unknown = unknown error
## Why a feed's last poll failed, in `/feeds` and `/feeds add`: $status an HTTP status (500), $seconds
## the fetch timeout, $size and $limit bytes, $most redirects, $encoding a Content-Encoding, $kind
## the name of the network error (ConnectError).
feed-error-http = HTTP { $status }
feed-error-timeout = timed out after { $seconds } s
feed-error-too-large = response of { $size } bytes is over the { $limit }-byte limit; not read
feed-error-over-limit = response passed the { $limit }-byte limit; abandoned unparsed
feed-error-encoding = the { $encoding } encoding of the response could not be read
feed-error-refused = not a public address (loopback, private, link-local and reserved ones are refused; see [news] allow_hosts)
feed-error-redirects = more than { $most } redirects (a redirect loop?)
feed-error-unreachable = unreachable ({ $kind })
feed-error-not-feed = not an RSS or Atom feed
feed-error-malformed = malformed or truncated XML
feed-health-failing = failing: { $failures ->
        [one] { $failures } failed poll
       *[other] { $failures } failed polls
    } in a row ({ $error })
feed-health-unhealthy = UNHEALTHY: { $failures ->
        [one] { $failures } failed poll
       *[other] { $failures } failed polls
    } in a row ({ $error }); polled less often
feeds-added = Added the feed { $name } ({ $url }). It lists { $entries ->
        [one] { $entries } entry
       *[other] { $entries } entries
    } now: those are recorded, not sent. From its next new entry on, articles go to the chats that follow what they name. /feeds remove { $plain } stops it.
feeds-removed = Removed the feed { $name } ({ $url }); it is no longer polled.

## Why a feed cannot be added or removed. $name is quoted ('kdrama-news'), $error the fetch error.
feed-not-web = { $url } is not a web address; a feed URL starts with https:// or http://.
feed-name-bar = The feed name { $name } must not contain '|'.
feed-name-long = The feed name { $name }… is longer than { $max } characters.
feed-name-taken = There is already a feed named { $name }; give this one another name.
feed-url-taken = That URL is already polled as { $name }.
feed-not-polled-here = Feeds are not polled in this process, so none can be added here.
feed-from-config = { $name } comes from the config file ({ $source }); it cannot be removed at run time. Remove it from [news] feeds there and restart.
feed-unknown = There is no feed named { $name }. /feeds lists them.
feed-private = Feeds are fetched from public addresses only: loopback, private, link-local and reserved ones are refused (the config's [news] allow_hosts can allow a host). Nothing was added.
feed-unreadable = { $url } is not a feed I can read: { $error }. Nothing was added.
