## Reminders before an episode. $network is " (JTBC)" or empty; $countdown and $when are times.

reminder = ⏰ { $title }, episode { $episode }, starts { $countdown }: { $when }{ $network }.
