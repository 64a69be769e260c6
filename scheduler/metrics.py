"""/metrics: the process in Prometheus' text format (`prometheus_client`), one registry per
process (no global one), read when scraped from what the outboxes, the feeds and the TVmaze
client already count. No label holds a chat or user id."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.app.core import Core


class BotCollector(Collector):
    def __init__(self, core: Core, *, started: float, feed_polls: Callable[[], dict[tuple[str, str], int]],
                 fanout_lag: Callable[[], float | None]):
        self.core = core
        self.started = started  # unix time the process started
        self.feed_polls = feed_polls  # (feed, result) -> polls
        self.fanout_lag = fanout_lag  # seconds the last reminder fan-out was queued after its due instant

    def collect(self) -> Iterator[Any]:
        sent = CounterMetricFamily("dramabot_messages", "Messages by platform, kind and outcome",
                                   labels=["platform", "kind", "outcome"])
        limited = CounterMetricFamily("dramabot_rate_limited", "429 refusals (rate limits) by platform", labels=["platform"])
        depth = GaugeMetricFamily("dramabot_queue_depth", "Messages and replies queued or in flight", labels=["platform"])
        hour = GaugeMetricFamily("dramabot_sent_last_hour", "Messages accepted in the last hour", labels=["platform"])
        oldest = GaugeMetricFamily("dramabot_oldest_queued_seconds", "Age of the oldest job with messages still queued",
                                   labels=["platform"])
        now = time.monotonic()
        for platform, outbox in sorted(self.core.delivery.outboxes.items()):
            for (kind, outcome), count in sorted(outbox.stats.outcomes.items()):
                sent.add_metric([platform, kind, outcome], count)
            limited.add_metric([platform], outbox.stats.rate_limited)
            depth.add_metric([platform], outbox.queued)
            hour.add_metric([platform], outbox.stats.sent_last_hour(now))
            oldest.add_metric([platform], outbox.oldest_queued(outbox.monotonic_now()))
        yield from (sent, limited, depth, hour, oldest)
        polls = CounterMetricFamily("dramabot_feed_polls", "Feed polls by feed and result", labels=["feed", "result"])
        for (feed, result), count in sorted(self.feed_polls().items()):
            polls.add_metric([feed, result], count)
        yield polls
        tvmaze = CounterMetricFamily("dramabot_tvmaze_requests", "TVmaze requests by result", labels=["result"])
        live = self.core.live
        client = getattr(live, "client", None)
        for result, count in sorted(getattr(client, "results", {}).items()):
            tvmaze.add_metric([result], count)
        yield tvmaze
        if (lag := self.fanout_lag()) is not None:
            yield GaugeMetricFamily("dramabot_fanout_lag_seconds",
                                    "How long after its due instant the last reminder fan-out was queued", value=lag)
        yield GaugeMetricFamily("dramabot_process_start_time_seconds", "Unix time the process started", value=self.started)


def metrics_registry(collector: BotCollector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
