## Why delivery to a chat was paused, as the platform's adapter stored it; $detail is the platform's error code and text.
pause-dms-closed = Discord refused my direct message to you (error 50007). Allow direct messages from members of a server we share (Privacy Settings), then use any command in our DM
pause-lost-permission = I lost permission to post there (Discord error { $detail })
pause-channel-deleted = the channel was deleted (Discord error 10003)
pause-account-gone = the Discord account no longer exists (error 10013)
pause-telegram-blocked = you blocked me on Telegram; unblock me (or press Start) to get reminders again
pause-telegram-removed = I was removed from this group on Telegram
pause-telegram-account-gone = the Telegram account was deleted
pause-telegram-topic-gone = the topic (thread) was deleted or closed on Telegram
pause-telegram-chat-gone = Telegram cannot find this chat any more
pause-telegram-no-rights = I have no right to post here on Telegram; an admin can give it back
pause-telegram-refused = Telegram refused my message ({ $detail })
## A reason stored before reasons were message ids (the platform's own words), quoted as it is.
pause-as-said = { $detail }
## The Discord adapter's one-time note to a server's admins; $channel is the channel's mention, $reason the pause reason.
pause-admin-note = ⚠️ I could not post in { $channel }: { $reason }. Its reminders are paused; fix that and run `/channel list` there to resume.
