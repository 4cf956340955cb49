"""A real Celery worker killed in the middle of a selection: the rerun credits each winner once."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Participant, Wave
from accounts.services import wave_close, wave_selection_start
from prakerja.celery import app as celery_app
from wallets.models import Account, LedgerTransaction

from .factories import applicants, wave_factory

ROOT = Path(__file__).resolve().parents[2]


def start_worker(broker: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "prakerja.settings.local", "DEBUG": "false",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
           "CELERY_BROKER_URL": broker, "SELECTION_CHUNK_SIZE": "2"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "prakerja", "worker", "-P", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-Q", "selection-test", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.postgresql
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_then_a_resumed_selection_credits_each_winner_once():
    from tests.conftest import redis_url

    broker = redis_url()
    wave = wave_factory(number=1, quota=150, status="open")
    applicants(wave, 200)
    wave_close(wave=wave, by=None)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = broker  # the same Redis the worker reads (set by CELERY_BROKER_URL in CI)
    celery_app.conf.task_routes = {"accounts.tasks.wave_selection_run_task": {"queue": "selection-test"}}
    worker = start_worker(broker)
    try:
        wave_selection_start(wave=wave, by=None, seed="kill-me")  # enqueued to the real broker at commit

        def progressed():
            wave.refresh_from_db()
            return wave.selected_count >= 20

        assert wait_for(progressed), worker.stderr.read1().decode() if worker.poll() is not None else "no progress"
        os.killpg(worker.pid, signal.SIGKILL)  # the worker dies between or inside a chunk
        worker.wait(10)
        wave.refresh_from_db()
        assert wave.status == Wave.Status.SELECTING and wave.selected_count < 150

        worker = start_worker(broker)
        from accounts.tasks import wave_selection_run_task

        wave_selection_run_task.delay(wave.pk)  # what the admin's "resume" action sends

        def finished():
            wave.refresh_from_db()
            return wave.status == Wave.Status.SELECTED

        assert wait_for(finished, timeout=120)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        celery_app.conf.task_always_eager = True
        celery_app.conf.task_routes = None

    assert Participant.objects.filter(wave=wave).count() == 150
    credits = LedgerTransaction.objects.filter(code=LedgerTransaction.Code.BALANCE_CREDIT)
    assert credits.count() == 150
    balances = Account.objects.filter(kind=Account.Kind.PARTICIPANT_BALANCE).values_list("balance", flat=True)
    assert sorted(set(balances)) == [1_000_000] and len(balances) == 150
    call_command("reconcile_ledger")
