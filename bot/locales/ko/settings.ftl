## /timezone, /remind와 /channel 명령어. $local은 지금 현지 시간, $leads는 알림 시점이에요.

zone-current = 여기서는 시간을 { $zone } 기준으로 보여 드려요 (지금 { $local }). { $command } <도시 또는 시간대>로 바꿀 수 있어요. 예: { $command } America/New_York.
zone-set = 시간대를 { JOSA($zone, "으로") } 설정했어요. 지금 현지 시간: { $local }.
leads-current = 알림은 회차마다 { $leads } 와요. { $command } <시점 ...>으로 바꿀 수 있어요. 예: { $command } 1h 10m (30m, 1h, 1h30m, 1d, 0m(방송 시작 때) 중 한 개에서 세 개).
leads-set = 이제 알림이 회차마다 { $leads } 와요.
leads-before = { $leads } 전에
leads-before-and-air = { $leads } 전과 방송 시작 때
leads-air = 방송 시작 때
list-two = { JOSA($first, "과") } { $last }
group-hint = 그룹에서는 관리자가 /channel { $sub } 명령어로 이 채팅의 알림을 정해요. 개인 알림은 저와의 개인 채팅에서 { JOSA($own, "을") } 보내 주세요.

## 시간대나 알림 시점으로 읽을 수 없는 입력

zone-empty = 시간대를 알려 주세요. 예: { $command } America/New_York 또는 { $command } Seoul
zone-too-long = 시간대로는 너무 길어요. 도시(Seoul)나 IANA 시간대(Asia/Seoul)를 입력하세요.
zone-abbreviation = "{ $typed }" 같은 약어는 여러 시간대가 같이 써요 (PST는 미국 태평양 시간이기도 하고 Asia/Manila이기도 해요). 도시(Los Angeles)나 IANA 시간대(America/Los_Angeles)를 입력하세요.
zone-unknown = 모르는 시간대예요: "{ $typed }". Asia/Seoul, America/New_York 같은 IANA 시간대나 Seoul, London, New York 같은 도시를 입력하세요.
lead-bad = 알림 시점으로 읽을 수 없어요: "{ $typed }". 30m, 1h, 1h30m, 1d, 0m(방송 시작 때) 같은 형태로 쓰세요.
lead-too-early = { JOSA($lead, "는") } 너무 일러요. 알림 시점은 최대 7일(7d) 전이에요.
leads-empty = 알림 시점을 한 개에서 세 개 알려 주세요. 예: { $command } 30m 또는 { $command } 1d 1h
leads-too-many = 알림 시점은 최대 { $limit }개예요. 예: { $command } 1d 1h 10m
