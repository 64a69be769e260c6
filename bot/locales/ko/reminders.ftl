## 방송 전 알림. $network는 " (JTBC)" 또는 빈 값, $countdown과 $when은 시간이에요.

reminder = ⏰ { $title } { $episode }회, { $countdown } 시작: { $when }{ $network }.
