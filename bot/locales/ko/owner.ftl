## 봇 소유자 명령어: /show skip, /show move (카탈로그 수정)와 /feeds (뉴스 피드).
## $title과 $name은 굵게 쓴 이름, $day는 2026-03-08 같은 날짜, $zone은 드라마의 시간대예요.

show-unknown = { JOSA($name, "라") }는 드라마가 없어요.
show-unknown-guess = { JOSA($name, "라") }는 드라마가 없어요 (혹시 { $labels }?).
show-skip-usage = 사용법: /show skip <드라마> <날짜>, 예: /show skip Night Owl Test 2026-03-08
show-move-usage = 사용법: /show move <드라마> <회차> <날짜> <시간>, 예: /show move Night Owl Test 3 2026-03-09 23:50
show-no-broadcast = { $title }: { $day } ({ $zone })에 방송이 없어요. 아무것도 바꾸지 않았어요.
show-no-episode = { $title }: { $episode }회가 없어요. 아무것도 바꾸지 않았어요.
show-skipped = 완료: { JOSA($title, "은") } { $day } ({ $zone })에 방송하지 않아요. { $told }
show-moved = 완료: { $title } { $episode }회는 { $when }에 방송해요. { $told }
show-told = 구독자들에게 알렸어요.
show-told-nobody = 바뀌는 사람이 없어요 (앞으로의 방송 중 옮겨진 것이 없어요).

feeds-none = 가져오는 뉴스 피드가 없어요. /feeds add <url> [name]으로 추가하거나 설정 파일의 [news] feeds에 적어 주세요.
feeds-head = 뉴스 피드 { $count }개, 각각 { $minutes }분마다 가져와요:
feeds-more = …그리고 { $left }개 더.
feeds-line = • { $name } ({ $origin ->
        [config] 설정 파일
       *[added] 추가됨
    }) { $url }: { $health }; 마지막 새 기사 { $title }, { $countdown }
feeds-line-quiet = • { $name } ({ $origin ->
        [config] 설정 파일
       *[added] 추가됨
    }) { $url }: { $health }; 아직 새 기사 없음
feed-health-new = 아직 가져오지 않음
feed-health-ok = 정상
feed-error-unknown = 알 수 없는 오류
## /feeds와 /feeds add에 나오는 피드를 가져오지 못한 이유: $status는 HTTP 상태 코드(500), $seconds는 제한 시간,
## $size와 $limit는 바이트 수, $most는 리디렉션 횟수, $encoding은 Content-Encoding, $kind는 네트워크 오류 이름(ConnectError)이에요.
feed-error-http = 서버가 오류 코드 { JOSA($status, "으로") } 답했어요
feed-error-timeout = { $seconds }초 안에 응답이 없었어요
feed-error-too-large = 응답이 { $size }바이트로 한도 { $limit }바이트를 넘어서 읽지 않았어요
feed-error-over-limit = 응답이 한도 { $limit }바이트를 넘어서 중간에 그만 받았어요
feed-error-encoding = 응답의 { $encoding } 압축을 풀 수 없었어요
feed-error-refused = 공개 주소가 아니에요 (루프백, 사설, 링크 로컬, 예약 주소는 거부해요. [news] allow_hosts 참고)
feed-error-redirects = 리디렉션이 { $most }번을 넘었어요 (리디렉션이 돌고 있나요?)
feed-error-unreachable = 서버에 연결할 수 없었어요 ({ $kind })
feed-error-not-feed = 받은 문서가 RSS나 Atom 피드가 아니에요
feed-error-malformed = XML이 잘못되었거나 중간에 끊겼어요
feed-health-failing = 실패 중: { $failures }번 연속 실패 ({ $error })
feed-health-unhealthy = 비정상: { $failures }번 연속 실패 ({ $error }); 덜 자주 가져와요
feeds-added = 피드 { JOSA($name, "을") } 추가했어요 ({ $url }). 지금 항목이 { $entries }개 있는데, 기록만 하고 보내지는 않아요. 다음 새 항목부터 기사에 나오는 드라마나 배우를 구독한 채팅으로 보내요. 멈추려면 /feeds remove { $plain }
feeds-removed = 피드 { JOSA($name, "을") } 삭제했어요 ({ $url }). 더 이상 가져오지 않아요.

## 피드를 추가하거나 삭제할 수 없는 이유. $name은 따옴표로 감싼 이름('kdrama-news'), $error는 가져오기 오류예요.
feed-not-web = { $url }: 웹 주소가 아니에요. 피드 URL은 https:// 또는 http://로 시작해요.
feed-name-bar = 피드 이름 { $name }에는 '|'를 쓸 수 없어요.
feed-name-long = 피드 이름 { $name }…: { $max }자보다 길어요.
feed-name-taken = 이름이 { $name }인 피드가 이미 있어요. 다른 이름을 붙여 주세요.
feed-url-taken = 이 URL은 이미 { $name } 피드로 가져오고 있어요.
feed-not-polled-here = 이 프로세스는 피드를 가져오지 않아서 여기서는 추가할 수 없어요.
feed-from-config = { $name } 피드는 설정 파일({ $source })에 있어서 실행 중에 삭제할 수 없어요. 거기 [news] feeds에서 지우고 다시 시작하세요.
feed-unknown = 이름이 { $name }인 피드가 없어요. /feeds로 목록을 볼 수 있어요.
feed-private = 피드는 공개 주소에서만 가져와요: 루프백, 사설, 링크 로컬, 예약 주소는 거부해요 (설정 파일의 [news] allow_hosts로 호스트를 허용할 수 있어요). 아무것도 추가하지 않았어요.
feed-unreadable = { $url }: 읽을 수 있는 피드가 아니에요 ({ $error }). 아무것도 추가하지 않았어요.
