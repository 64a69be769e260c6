## 뉴스 게시물과 시간별 모음. $feed는 피드 이름, $names는 기사에 나온 구독 항목이에요.

news-source = 출처: { $feed }
news-source-follow = 출처: { $feed } · 구독 중: { $names }
news-more-names = 외 { $count }개
digest-head = 📰 지난 한 시간 동안 구독한 것에 관한 기사가 이 채팅의 시간당 한도({ $cap }개)를 넘어 { $count }개 더 들어왔어요:
digest-more = …외 { $count }개. /news로 최신 뉴스를 볼 수 있어요.
