import pytest


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    """Uploaded application documents go to a temporary private folder."""
    settings.PLATFORM_DOCUMENTS_ROOT = tmp_path / "platform-documents"
    return settings.PLATFORM_DOCUMENTS_ROOT
