"""Demo data: a sandbox API key for one platform, printed with the demo logins, so a platform
engineer can follow the getting-started guide against `make demo` at once.

The demo key is fixed (it is printed anyway) and, like every key, stored only as its hash."""
from __future__ import annotations

from accounts.demo import DemoContext
from platforms.models import Platform

from .models import ApiKey
from .services.api_keys import api_key_hash, api_key_prefix

DEMO_PLATFORM = "sisnaker"
DEMO_KEY = "pk_test_demoSisnakerSandboxKey0000000000000000"


def step_api(ctx: DemoContext) -> None:
    platform = Platform.objects.filter(slug=DEMO_PLATFORM).first()
    if platform is None:
        return
    ApiKey.objects.get_or_create(key_hash=api_key_hash(DEMO_KEY), defaults={
        "platform": platform, "mode": ApiKey.Mode.TEST, "name": "Demo sandbox key",
        "prefix": api_key_prefix(DEMO_KEY)})
    ctx.logins.append((f"{platform.name} sandbox API key, sent as `Authorization: Bearer <key>` (guide: /api/v1/docs/guide/)",
                       DEMO_KEY, ""))
