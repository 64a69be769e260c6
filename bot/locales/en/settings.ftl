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
