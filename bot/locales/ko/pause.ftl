## 채팅으로의 전송이 멈춘 이유(플랫폼 어댑터가 저장한 것). $detail은 플랫폼의 오류 코드와 내용이에요.
pause-dms-closed = Discord가 다이렉트 메시지를 거부했어요 (오류 50007). Discord 개인정보 설정에서 같은 서버 멤버의 DM을 허용하고, DM에서 아무 명령어나 써 주세요
pause-lost-permission = 거기에 글을 올릴 권한이 없어졌어요 (Discord 오류 { $detail })
pause-channel-deleted = 채널이 삭제되었어요 (Discord 오류 10003)
pause-account-gone = Discord 계정이 더 이상 없어요 (오류 10013)
