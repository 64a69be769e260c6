## Catalog change alerts and streaming releases. $episodes lists the episodes concerned; $network is " (JTBC)" or empty.

notice-moved = 📺 Schedule change: { $title }{ $network }: { $episodes }. Reminders follow the new time.
notice-moved-episode = episode { $episode } now airs { $new } instead of { $old }
notice-removed = ⚠️ Not airing as planned: { $title }{ $network }: { $episodes }. The broadcast was pre-empted or cancelled; I will tell you when it is rescheduled.
notice-removed-episode = episode { $episode } ({ $when })
notice-added = 🆕 { $title }{ $network }: { $count } new { $count ->
        [one] episode
       *[other] episodes
    } announced: { $episodes }. You will be reminded before each.
notice-added-episode = episode { $episode }, { $when }
notice-ended = 🏁 { $title }{ $network } has ended: no more episodes are planned, so no more reminders for it.
notice-more = ; and { $count } more
release = 📺 { $title }, episode { $episode }, is out today ({ $day }).
release-network = 📺 { $title }, episode { $episode }, is out today on { $network } ({ $day }).
