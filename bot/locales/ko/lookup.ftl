## 이름으로 드라마나 배우 찾기, /next, /schedule. $typed는 입력한 내용(따옴표 포함)이에요.

find-empty = 어떤 드라마나 배우인지 알려 주세요. 예: { $example } 사랑의 이해 또는 { $example } 문가영
find-several = { $typed }에 해당하는 항목이 여러 개예요: { $labels }. 하나를 정확히 입력해 주세요. 예: { $example } { $first }
find-none = { JOSA($typed, "라") }는 드라마나 배우를 몰라요. 철자를 확인하거나 영어 또는 한국어 제목, 배우 이름으로 해 보세요.
find-no-tvmaze = { JOSA($typed, "라") }는 드라마나 배우가 카탈로그에 없고, TVmaze에도 물어볼 수 없었어요: { $reason }
find-none-anywhere = { JOSA($typed, "라") }는 드라마나 배우를 모르고, TVmaze에도 없어요. 철자를 확인하거나 영어 또는 한국어 제목, 배우 이름으로 해 보세요.
find-pick = { $typed }에 해당하는 드라마나 사람이 여러 개예요. 하나를 고르세요:
find-pick-tvmaze = TVmaze에서 { $typed }에 해당하는 드라마나 사람이 여러 개예요. 하나를 고르세요:
next-release = 다음 방송: { $title } { $episode }회가 { $day }에 공개돼요 (스트리밍, 시간 미정). 그날 현지 시간 { $hour }에 알려 드려요.
next-empty = 이 채팅은 아직 아무것도 구독하지 않아요. 예: /next 사랑의 이해. 또는 먼저 { $subscribe } 명령어로 드라마를 구독하세요.
next-none-left = { $shows }: 남은 회차가 없어요.
next-none = 카탈로그에 { $about }의 다가오는 회차가 없어요.
next-none-followed = 카탈로그에 이 채팅이 구독한 드라마의 다가오는 회차가 없어요.
next-airing = 다음 방송: { $title } { $episode }회, { $when }, { $countdown }.
schedule-empty = 이 채팅은 아직 아무것도 구독하지 않아서 일정이 없어요. 이렇게 해 보세요: { $subscribe } 사랑의 이해
schedule-airing = • { $when }: { $title } { $episode }회
schedule-release = • { $day } (스트리밍 공개): { $title } { $episode }회
schedule-nothing = 앞으로 { $days }일 동안 이 채팅이 구독한 방송이 없어요.
schedule-head = 앞으로 { $days }일 일정 ({ $zone } 기준):

## 여러 드라마와 배우가 같은 이름일 때 하나를 고르려고 입력하는 말("드라마: 지수"; 어느 언어의 낱말이든 알아들어요)과
## TVmaze 검색 결과의 선택지. $details는 방송사, 나라, 연도(데이터)예요.
kind-show = 드라마
kind-actor = 배우
pick-show = { $name } ({ $details })
pick-actor = { $name } (배우, { $details })
pick-born = { $year }년생
pick-no-details = 정보 없음

## TVmaze에 물어볼 수 없었던 이유. /subscribe 답장에서 "TVmaze에도 물어볼 수 없었어요:" 뒤에 와요.
lookup-off = 여기서는 TVmaze 검색을 쓰지 않아요.
lookup-deadline = TVmaze가 제때 답하지 않았어요. 1분 뒤에 다시 해 보세요.
lookup-waiting = 이미 TVmaze의 답을 기다리는 이름이 { $count }개 있어요. 답이 온 뒤에 다시 해 보세요.
lookup-too-often = 지난 1분 동안 TVmaze 검색을 { $count }번 하셨어요. 한 사람이 할 수 있는 최대예요. { $wait }초 뒤에 다시 해 보세요.
tvmaze-slow = TVmaze가 제때 답하지 않았어요. 나중에 다시 해 보세요.
tvmaze-unreachable = TVmaze에 연결할 수 없어요 ({ $error }). 나중에 다시 해 보세요.
tvmaze-busy = TVmaze가 바빠요. 1분 뒤에 다시 해 보세요.
tvmaze-status = TVmaze가 오류로 답했어요 ({ $status }). 나중에 다시 해 보세요.
tvmaze-invalid = TVmaze가 올바른 JSON이 아닌 답을 보냈어요. 나중에 다시 해 보세요.
tvmaze-incomplete = TVmaze가 id나 이름이 없는 { $kind ->
        [show] 드라마를
       *[person] 사람을
    } 보냈어요. 나중에 다시 해 보세요.
tvmaze-no-show = TVmaze에 { $key } 드라마가 없어요.
tvmaze-no-person = TVmaze에 { $key } 사람이 없어요.
