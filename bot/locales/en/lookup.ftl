## Finding a show or actor by name, and /next, /schedule. $typed is what the fan typed, quoted.

find-empty = Tell me which show or actor, e.g. { $example } The Interest of Love or { $example } Moon Ga Young.
find-several = { $typed } could be more than one: { $labels }. Type one of them in full, e.g. { $example } { $first }.
find-none = I know no show or actor called { $typed }. Check the spelling, or try the English or Korean title or an actor's name.
find-no-tvmaze = I know no show or actor called { $typed } in my catalog, and could not ask TVmaze: { $reason }
find-none-anywhere = I know no show or actor called { $typed }, and TVmaze knows none either. Check the spelling, or try the English or Korean title or an actor's name.
find-pick = { $typed } could be several shows or people; pick one:
find-pick-tvmaze = { $typed } could be several shows or people on TVmaze; pick one:
next-release = Next: { $title } episode { $episode } comes out on { $day } (streaming, no set time); I tell you at { $hour } your time that day.
next-empty = This chat follows nothing yet. Try /next The Interest of Love, or { $subscribe } to a show first.
next-none-left = { $shows }: no more episodes.
next-none = No upcoming episode of { $about } is in the catalog.
next-none-followed = No upcoming episode of anything this chat follows is in the catalog.
next-airing = Next: { $title } episode { $episode }, { $when }, { $countdown }.
schedule-empty = This chat follows nothing yet, so there is no schedule. Try { $subscribe } The Interest of Love.
schedule-airing = • { $when }: { $title } episode { $episode }
schedule-release = • { $day } (streaming release): { $title } episode { $episode }
schedule-nothing = Nothing this chat follows airs in the next { $days } days.
schedule-head = The next { $days } days, in { $zone }:

## A name several shows and actors share: what to type for one ("show: Jisoo"; each language's word is understood),
## and TVmaze's results to pick from. $details are the network, country and year (data).
kind-show = show
kind-actor = actor
pick-show = { $name } ({ $details })
pick-actor = { $name } (actor, { $details })
pick-born = born { $year }
pick-no-details = no details

## Why TVmaze could not be asked; a /subscribe reply quotes it after "could not ask TVmaze:".
lookup-off = Looking shows up on TVmaze is turned off here.
lookup-deadline = TVmaze did not answer in time; try again in a minute.
lookup-waiting = You already have { $count } names waiting for TVmaze; wait for their answers, then try again.
lookup-too-often = You asked for { $count } TVmaze lookups in the last minute, the most one person may; wait { $wait } seconds and try again.
tvmaze-slow = TVmaze did not answer in time; try again later.
tvmaze-unreachable = TVmaze cannot be reached ({ $error }); try again later.
tvmaze-busy = TVmaze is busy; try again in a minute.
tvmaze-status = TVmaze answered with an error ({ $status }); try again later.
tvmaze-invalid = TVmaze sent something that is not valid JSON; try again later.
tvmaze-incomplete = TVmaze sent a { $kind } without an id or a name; try again later.
tvmaze-no-show = TVmaze has no show { $key }.
tvmaze-no-person = TVmaze has no person { $key }.
