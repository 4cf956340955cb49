import pytest

from accounts.services import wave_selection_start


@pytest.fixture
def select(django_capture_on_commit_callbacks):
    """Start a wave's lottery and let its task run at commit, as it does in production."""

    def run(wave, seed="seed", by=None):
        with django_capture_on_commit_callbacks(execute=True):
            wave_selection_start(wave=wave, by=by, seed=seed)
        wave.refresh_from_db()
        return wave

    return run
