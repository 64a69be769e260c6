## /calendar와 /channel calendar: 채팅의 캘린더 피드 링크. $command는 입력한 명령어예요.

calendar-usage = 사용법: { $command }, 또는 새 링크는 { $command } reset (이전 링크는 더 이상 작동하지 않아요).
calendar-off = 캘린더 피드가 켜져 있지 않아요. 봇 운영자가 웹 서버([web] listen)를 설정하지 않았어요.
calendar-new = 새 캘린더 링크예요 (이전 링크는 더 이상 작동하지 않아요):
calendar-yours = 나만의 캘린더 링크예요:
calendar-new-chat = 이 채팅의 새 캘린더 링크예요 (이전 링크는 더 이상 작동하지 않아요):
calendar-chat = 이 채팅의 캘린더 링크예요:
calendar-how = 구독으로 추가하세요: { $webcal } 열기(Apple 캘린더, Outlook, Thunderbird), 또는 Google 캘린더에서 다른 캘린더 → URL로 추가를 고르고 위 링크를 붙여 넣으세요.
calendar-what = 이 채팅이 팔로우하는 모든 회차를 1주 전부터 한 달 뒤까지 알림 시점마다 알람과 함께 보여 줘요. 링크는 남에게 알리지 마세요. { $command } reset으로 바꿀 수 있어요.
calendar-caveat = 캘린더 앱은 구독한 캘린더를 자기 일정에 맞춰 새로 고치고(Google 캘린더는 최대 하루) 알람을 무시하기도 해요. 그러니 여기서 보내 드리는 알림이 가장 확실해요.
