## /channel ping, /channel events, /share, /start, /news

ping-off = 이제 이 채널의 알림에서 아무도 멘션하지 않아요. /channel ping <역할>로 역할을 고르면 그 멤버들에게 알려요.
ping-bad = 역할 하나를 고르세요. 예: /channel ping @Drama Fans. 그만두려면 역할 없이 /channel ping을 쓰세요.
ping-on = 이제 이 채널의 알림에서 고른 역할을 멘션해요. 역할 없이 /channel ping을 쓰면 그만둬요.
events-usage = 사용법: /channel events on 또는 /channel events off.
events-off = 이제 이 채팅의 회차를 서버 이벤트로 올리지 않아요 (이미 올린 이벤트는 지워요).
events-on = 앞으로 { $days }일 동안 이 채팅이 구독한 모든 회차를 서버 이벤트로 올리고 일정에 맞춰 고쳐 둘게요. 멤버들은 관심 표시를 할 수 있어요.
start-unknown = 이 링크의 드라마나 배우를 몰라요 (오래된 링크일 수 있어요). 이름으로 /subscribe 해 보세요.
share-none = { $name } 링크는 만들 수 없어요. /subscribe { $typed }를 입력하면 돼요.
share-link = 이 링크를 공유하세요. 링크를 열고 시작을 누르면 { JOSA($name, "을") } 구독해요:
news-empty = 이 채팅은 아직 아무것도 구독하지 않아서 뉴스가 없어요. 예: /news 사랑의 이해. 또는 먼저 { $subscribe } 명령어로 구독하세요.
news-none = 아직 { $about } 관련 뉴스가 없어요.
news-none-followed = 아직 이 채팅이 구독한 것에 관한 뉴스가 없어요.
news-head = { $about } 최신 뉴스:
news-head-followed = 이 채팅이 구독한 것에 관한 최신 뉴스:
news-line = { $feed }, { $date }
