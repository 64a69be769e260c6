## 채팅으로의 전송이 멈춘 이유(플랫폼 어댑터가 저장한 것). $detail은 플랫폼의 오류 코드와 내용이에요.
pause-dms-closed = Discord가 다이렉트 메시지를 거부했어요 (오류 50007). Discord 개인정보 설정에서 같은 서버 멤버의 DM을 허용하고, DM에서 아무 명령어나 써 주세요
pause-lost-permission = 거기에 글을 올릴 권한이 없어졌어요 (Discord 오류 { $detail })
pause-channel-deleted = 채널이 삭제되었어요 (Discord 오류 10003)
pause-account-gone = Discord 계정이 더 이상 없어요 (오류 10013)
pause-telegram-blocked = 텔레그램에서 저를 차단했어요. 차단을 풀거나 시작(Start)을 누르면 다시 알림을 받아요
pause-telegram-removed = 텔레그램 그룹에서 내보내졌어요
pause-telegram-account-gone = 텔레그램 계정이 삭제되었어요
pause-telegram-topic-gone = 텔레그램에서 주제(토픽)가 삭제되었거나 닫혔어요
pause-telegram-chat-gone = 텔레그램에서 이 채팅을 찾을 수 없어요
pause-telegram-no-rights = 텔레그램에서 여기에 글을 올릴 권한이 없어요. 관리자가 권한을 다시 줄 수 있어요
pause-telegram-refused = 텔레그램이 메시지를 거부했어요 ({ $detail })
## 이유가 메시지 id가 되기 전에 저장된 이유(플랫폼의 원래 문구)는 그대로 인용해요.
pause-as-said = 플랫폼이 알려 준 이유: { $detail }
## Discord 어댑터가 서버 관리자에게 한 번 알리는 글. $channel은 채널 멘션, $reason은 멈춘 이유예요.
pause-admin-note = ⚠️ { $channel }에 글을 올릴 수 없었어요: { $reason }. 이 채널의 알림은 멈춰 있어요. 문제를 해결한 뒤 그 채널에서 `/channel list`를 실행하면 다시 시작해요.
