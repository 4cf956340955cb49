"""Browser fixtures: one Chromium per session, a fresh phone-sized page per test, `shot(name)` screenshots.

Participants use cheap Android phones, so every page is driven at 390×844 with an Indonesian locale.
Screenshots go to $PLAYWRIGHT_ARTIFACTS (default <repo>/artifacts/browser/)/<test name>/NN-<name>.png.
"""
from __future__ import annotations

import email
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("PLAYWRIGHT_ARTIFACTS") or REPO / "artifacts" / "browser")
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# Playwright's default wait is 30 s; a local page that has not appeared in 10 s is broken, not slow.
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop alive in the main thread for as long as it runs,
    # and Django refuses ORM calls there (pytest-django's flush, a test's own queries) unless told
    # the loop is not really serving requests. The live server answers in its own thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator:
    """A fresh phone (own cookies) in Indonesia; fails the test on a JavaScript error or a 5xx."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"HTTP {r.status} {r.url}"))
    try:
        yield page
        call = getattr(request.node, "rep_call", None)
        if call is not None and call.failed:
            _save(page, _folder(request) / "FAILED.png")
        assert not problems, problems
    finally:
        context.close()


@pytest.fixture
def shot(page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """shot("signup") saves the whole page as NN-signup.png, numbered in the order taken."""
    folder = _folder(request)
    for old in folder.glob("*.png"):
        old.unlink()
    taken: list[Path] = []

    def take(name: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        _save(page, path)
        taken.append(path)
        return path

    return take


@pytest.fixture
def console_mail(settings, capsys) -> Callable[[], list[email.message.Message]]:
    """Mail goes to the console backend, as in the demo; returns the messages printed so far.

    The live server runs in a thread of this process, so what it prints lands in capsys."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    printed: list[str] = []

    def read() -> list[email.message.Message]:
        out = capsys.readouterr().out
        printed.append(out)
        # The console backend ends every message with a line of 79 dashes.
        chunks = re.split(r"^-{79}$", "".join(printed), flags=re.MULTILINE)
        return [email.message_from_string(c.lstrip("\n")) for c in chunks if "Subject:" in c]

    return read


def mail_text(message: email.message.Message) -> str:
    """The decoded text/plain body (quoted-printable or base64 would otherwise split a long link)."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no text/plain part in {message['Subject']!r}")


def _folder(request: pytest.FixtureRequest) -> Path:
    name = re.sub(r"[^\w.-]+", "_", request.node.name.removeprefix("test_"))
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save(page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True, animations="disabled")
