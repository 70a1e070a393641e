"""Metrics read from the database at each scrape: outbox backlog and failures, job runs, the
database itself and the stored figures. Request counts and times are in
``portal.operations.requests``."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from portal.notifications.models import OutboxStatus
from portal.operations.status import Status


class DatabaseCollector(Collector):
    def __init__(self, found: Status) -> None:
        self.found = found

    def collect(self) -> Iterator[Metric]:
        found = self.found
        up = GaugeMetricFamily("portal_database_up", "1 when the database answered")
        up.add_metric([], 1 if found.database.reachable else 0)
        yield up
        current = GaugeMetricFamily(
            "portal_database_schema_current", "1 when every migration has been applied"
        )
        current.add_metric([], 1 if found.database.up_to_date else 0)
        yield current
        if found.outbox is not None:
            messages = GaugeMetricFamily(
                "portal_outbox_messages", "Emails in the outbox by status", labels=["status"]
            )
            for each in OutboxStatus:
                messages.add_metric([each.value], found.outbox.by_status.get(each, 0))
            yield messages
            oldest = GaugeMetricFamily(
                "portal_outbox_oldest_waiting_age_seconds",
                "How long the oldest email waiting to be sent has waited (0 when none)",
            )
            waited = 0.0
            if found.outbox.oldest_waiting_since is not None:
                waited = (found.checked_at - found.outbox.oldest_waiting_since).total_seconds()
            oldest.add_metric([], max(waited, 0.0))
            yield oldest
        runs = CounterMetricFamily("portal_job_runs", "Times each job has run", labels=["job"])
        succeeded = GaugeMetricFamily(
            "portal_job_last_run_succeeded", "1 when the job's last run succeeded", labels=["job"]
        )
        finished = GaugeMetricFamily(
            "portal_job_last_finished_timestamp_seconds",
            "When the job last finished (Unix time)",
            labels=["job"],
        )
        for job in found.jobs:
            runs.add_metric([job.name], job.run_count)
            succeeded.add_metric([job.name], 1 if job.last_outcome == "succeeded" else 0)
            if job.last_finished_at is not None:
                finished.add_metric([job.name], job.last_finished_at.timestamp())
        yield from (runs, succeeded, finished)
        if found.data_version is not None:
            version = GaugeMetricFamily(
                "portal_data_version", "Goes up with every commit that writes a record"
            )
            version.add_metric([], found.data_version)
            yield version
        if found.stored_figures is not None:
            kept = GaugeMetricFamily("portal_stored_figures", "Stored dashboard figures")
            kept.add_metric([], found.stored_figures)
            yield kept


def database_registry(found: Status) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(found))
    return registry
