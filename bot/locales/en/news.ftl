## News posts and the hourly digest. $feed is a feed's name, $names what the chat follows that the article names.

news-source = From { $feed }
news-source-follow = From { $feed } · You follow: { $names }
news-more-names = { $count } more
digest-head = 📰 { $count } more { $count ->
        [one] article
       *[other] articles
    } about what you follow came in the last hour, beyond this chat's { $cap } an hour:
digest-more = …and { $count } more. /news shows the latest.
