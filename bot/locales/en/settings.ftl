## /timezone, /remind and their /channel forms. $local is the local time now; $leads says when reminders come.

zone-current = Times here are shown in { $zone } (now { $local }). Change it with { $command } <city or zone>, e.g. { $command } America/New_York.
zone-set = Time zone set to { $zone }. Local time now: { $local }.
leads-current = Reminders come { $leads } each episode. Change with { $command } <lead ...>, e.g. { $command } 1h 10m (one to three of 30m, 1h, 1h30m, 1d, 0m for air time).
leads-set = Reminders will come { $leads } each episode.
leads-before = { $leads } before
leads-before-and-air = { $leads } before and at air time
leads-air = at air time
list-two = { $first } and { $last }
group-hint = In a group, admins choose what this chat gets with /channel { $sub }. For reminders of your own, send me { $own } in a private chat.

## What a fan typed that is not a zone or a lead time.

zone-empty = Give a time zone, e.g. { $command } America/New_York or { $command } Seoul.
zone-too-long = That is too long for a time zone. Type a city (Seoul) or an IANA zone (Asia/Seoul).
zone-abbreviation = "{ $typed }" is an abbreviation, and several zones share most of them (PST is both US Pacific and Asia/Manila). Type a city (Los Angeles) or an IANA zone (America/Los_Angeles).
zone-unknown = Unknown time zone "{ $typed }". Type an IANA zone such as Asia/Seoul or America/New_York, or a city such as Seoul, London or New York.
lead-bad = "{ $typed }" is not a lead time. Use forms like 30m, 1h, 1h30m, 1d or 0m (at air time).
lead-too-early = { $lead } is too early: a lead time can be at most 7 days (7d).
leads-empty = Give one to three lead times, e.g. { $command } 30m or { $command } 1d 1h.
leads-too-many = At most { $limit } lead times, e.g. { $command } 1d 1h 10m.
