from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def wave_selection_run_task(wave_id: int) -> int:
    """Run (or resume) a wave's lottery; returns how many were selected."""
    from .services import wave_selection_run  # late import: services enqueue this task

    return wave_selection_run(wave_id=wave_id).selected_count
