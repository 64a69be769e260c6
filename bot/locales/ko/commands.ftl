## 명령어, 옵션, 메뉴 설명과 /help

cmd-subscribe = 드라마(알림과 뉴스)나 배우(뉴스와 출연작 알림) 구독하기
cmd-unsubscribe = 드라마나 배우 구독 취소하기
cmd-subscriptions = 이 채팅의 구독 목록, 알림 시점과 시간대
cmd-timezone = 알림에 쓰는 시간대 보기 또는 바꾸기
cmd-remind = 방송 몇 분 전에 알릴지 보기 또는 바꾸기
cmd-next = 다음 회차 방송 시간과 남은 시간
cmd-schedule = 앞으로 7일 동안 이 채팅이 구독한 방송
cmd-share = 열면 드라마나 배우를 구독하게 되는 링크
cmd-help = 제가 할 수 있는 일
cmd-start = 인사하기, 또는 공유 링크의 구독하기
cmd-language = 이 채팅에서 쓰는 언어 보기 또는 바꾸기
cmd-calendar = 나만의 캘린더 링크
cmd-channel = 이 그룹이나 서버 채널의 관리자 설정
cmd-channel-subscribe = 이 채팅이 드라마나 배우를 구독하게 하기
cmd-channel-unsubscribe = 이 채팅의 드라마나 배우 구독 취소하기
cmd-channel-list = 이 채팅의 구독 목록
cmd-channel-timezone = 이 채팅의 시간대 설정
cmd-channel-remind = 이 채팅의 알림 시점 설정
cmd-channel-ping = 이 채팅의 알림에서 역할 멘션하기 (none: 그만두기)
cmd-channel-events = 앞으로 7일 동안의 회차를 서버 이벤트로 올리기
cmd-channel-language = 이 채팅에서 쓰는 언어 설정
cmd-channel-calendar = 이 채팅의 캘린더 링크
cmd-news = 드라마나 배우, 또는 이 채팅의 구독에 관한 최신 기사 다섯 개
cmd-feeds = 가져오는 뉴스 피드와 상태 (봇 소유자)
cmd-feeds-list = 모든 피드와 상태, 마지막 새 기사
cmd-feeds-add = 주소가 RSS나 Atom 피드인지 확인하고 가져오기
cmd-feeds-remove = /feeds add로 추가한 피드 그만 가져오기
cmd-show = 카탈로그 고치기 (봇 소유자)
cmd-show-skip = 결방: 그날(드라마의 시간대) 방송하지 않음
cmd-show-move = 회차가 다른 날짜와 시간에 방송됨 (드라마의 시간대)

## 슬래시 명령어 옵션 (Discord)

arg-name = 제목, 별칭 또는 배우 이름 (한글도 돼요)
arg-zone = America/New_York 같은 IANA 시간대나 Seoul 같은 도시
arg-leads = 30m, 1h, 1h30m, 1d, 0m 중 한 개에서 세 개
arg-role = 이 채널의 알림에서 멘션할 역할 (비워 두면 그만두기)
arg-state = on: 다가오는 회차를 서버 이벤트로 올리기, off: 그만두기
arg-url = 피드 주소: https://...
arg-feed-name = 피드 이름 (기본값: soompi.com 같은 사이트 이름)
arg-payload = 공유 링크에 담긴 내용
arg-language = en 또는 ko (English, 한국어)
arg-action = reset: 새 링크 (이전 링크는 바로 작동을 멈춰요)
arg-show_date = 드라마와 날짜 (예: 2026-03-08)
arg-show_move = 예: Night Owl 3 2026-03-09 23:50

menu-group = { $description }: /{ $command } { $subcommands } (관리자)

help-intro = 구독한 K-드라마의 방송 전에 여러분의 시간대로 알려 드리고, 관련 뉴스도 전해 드려요.
help-line = { $usage }: { $description }
help-line-admins = { $usage }: { $description } (관리자)
help-line-owners = { $usage }: { $description } (봇 소유자)
help-credit = 방송 일정은 TVmaze(tvmaze.com)에서 CC BY-SA로 제공받아요.

## 모든 명령어에 나올 수 있는 답

error-internal = 죄송해요, 제 쪽에 문제가 생겼어요. 잠시 후 다시 해 주세요.
error-starting-up = 시작하는 중이에요. 잠시 후 다시 해 주세요.
error-unknown-command = { $command } 명령어는 몰라요. /help를 입력하면 명령어를 볼 수 있어요.
error-group-only = /{ $command } 명령어는 그룹 채팅이나 서버 채널을 설정해요. 여기서는 /subscribe, /timezone, /remind를 쓰세요.
error-use-one-of = 다음 중 하나를 쓰세요: { $options }.
error-no-subcommand = /{ $command }에는 { $typed } 항목이 없어요. 다음 중 하나를 쓰세요: { $options }.
error-usage = 사용법: { $usage }.
error-too-long = 메시지가 { $length }자예요. 명령어는 { $limit }자까지만 읽어요. /help를 입력하면 명령어를 볼 수 있어요.
error-not-a-command = /로 시작하는 명령어에 답해요. /help를 입력하면 명령어를 볼 수 있어요.
refused-admins = 이 채팅의 관리자만 할 수 있어요 (Discord: 서버 관리 권한, Telegram: 그룹 관리자). 아무것도 바뀌지 않았어요.
refused-owners = /{ $command } 명령어는 봇 소유자만 쓸 수 있어요. 모든 채팅에 영향을 주기 때문이에요. 아무것도 바뀌지 않았어요.
restarting = 다시 시작하는 중이에요. 잠시 후 다시 해 주세요.
notice-resumed = 이 채팅으로의 전송이 멈춰 있었어요({ $reason }). 이제 다시 보내요.
notice-paused = 알림과 뉴스 전송이 멈춰 있어요: { $reason }.

## /language

language-current = 여기서는 { JOSA($name, "으로") } 써요. /language en 또는 /language ko로 바꿀 수 있어요 (English, 한국어).
language-set = 이제 여기서는 { JOSA($name, "으로") } 쓸게요.
language-unknown = 아직 { $typed } 언어는 쓸 수 없어요. /language en 또는 /language ko 중에서 고르세요 (English, 한국어).
