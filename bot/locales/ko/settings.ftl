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
