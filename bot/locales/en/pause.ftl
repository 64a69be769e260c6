## Why delivery to a chat was paused, as the platform's adapter stored it; $detail is the platform's error code and text.
pause-dms-closed = Discord refused my direct message to you (error 50007). Allow direct messages from members of a server we share (Privacy Settings), then use any command in our DM
pause-lost-permission = I lost permission to post there (Discord error { $detail })
pause-channel-deleted = the channel was deleted (Discord error 10003)
pause-account-gone = the Discord account no longer exists (error 10013)
