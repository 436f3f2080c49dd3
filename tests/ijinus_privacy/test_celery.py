import pytest
from django.conf import settings

from ijinus_privacy.celery import app
from ijinus_privacy.tasks import ping_task


def test_reliability_settings():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert {queue.name for queue in conf.task_queues} == {"default", "exports", "retention"}
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.broker_connection_timeout <= 2


def test_tasks_are_discovered():
    assert "ijinus_privacy.tasks.ping_task" in app.tasks


def test_embedded_mode_runs_tasks_inline():
    assert ping_task.delay().get(timeout=1) == "pong"


@pytest.mark.redis
def test_a_real_worker_consumes_the_queue(celery_worker_app):
    assert settings.REDIS_URL
    result = ping_task.apply_async(queue="default")

    assert result.get(timeout=20) == "pong"
