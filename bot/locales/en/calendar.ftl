## /calendar and /channel calendar: a chat's calendar feed link. $command is the command typed.

calendar-usage = Usage: { $command }, or { $command } reset for a new link (the old one stops working).
calendar-off = Calendar feeds are not turned on: the bot's operator has not set up its web server ([web] listen).
calendar-new = Your new calendar link (the old one no longer works):
calendar-yours = Your personal calendar link:
calendar-new-chat = This chat's new calendar link (the old one no longer works):
calendar-chat = This chat's calendar link:
calendar-how = Add it as a subscription: open { $webcal } (Apple Calendar, Outlook, Thunderbird), or in Google Calendar use Other calendars → From URL ("add by URL") and paste the link above.
calendar-what = It lists every episode of what this chat follows, from a week back to a month ahead, with an alarm per lead time. Keep the link private; { $command } reset replaces it.
calendar-caveat = Calendar apps refresh subscribed calendars on their own schedule (Google Calendar: up to a day) and may ignore their alarms, so my reminders here remain the reliable ones.
