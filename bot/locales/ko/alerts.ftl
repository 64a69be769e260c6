## 카탈로그 변경 알림과 스트리밍 공개. $episodes는 해당 회차 목록, $network는 " (JTBC)" 또는 빈 값이에요.

notice-moved = 📺 일정 변경: { $title }{ $network }: { $episodes }. 알림도 새 시간에 맞춰 와요.
notice-moved-episode = { $episode }회가 { $old } 대신 { $new }에 방송돼요
notice-removed = ⚠️ 예정대로 방송하지 않아요: { $title }{ $network }: { $episodes }. 결방되거나 취소됐어요. 다시 편성되면 알려 드릴게요.
notice-removed-episode = { $episode }회 ({ $when })
notice-added = 🆕 { $title }{ $network }: 새 회차 { $count }개 발표: { $episodes }. 회차마다 방송 전에 알려 드려요.
notice-added-episode = { $episode }회, { $when }
notice-ended = 🏁 { $title }{ $network } 방송이 끝났어요. 더 이상 예정된 회차가 없어서 알림도 없어요.
notice-more = ; 외 { $count }개
release = 📺 { $title } { $episode }회가 오늘 공개돼요 ({ $day }).
release-network = 📺 { $title } { $episode }회가 오늘 { $network }에서 공개돼요 ({ $day }).
