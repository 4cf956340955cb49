"""The demo's platform steps: the eight of 2020 with their MoUs of 20 March 2020 and full trail,
Skill Academy withdrawn, four applicants at different stages, PMO staff logins; a rerun adds nothing."""
import datetime as dt
import io

import pytest

from accounts.demo import DemoContext, step_staff
from platforms import demo
from platforms.models import Evaluation, Platform, PlatformStatusChange
from platforms.selectors import pending_work

from .factories import pmo_group

pytestmark = pytest.mark.django_db


def test_demo_platform_steps_build_the_history_and_rerun_adds_nothing():
    for name in ("viewer", "evaluator", "approver"):
        pmo_group(name)
    ctx = DemoContext(stdout=io.StringIO())
    step_staff(ctx)
    demo.step_platforms(ctx)
    assert Platform.objects.filter(status=Platform.Status.ACTIVE).count() == 8
    demo.step_lifecycle(ctx)

    skill = Platform.objects.get(slug="skill-academy")
    assert skill.status == Platform.Status.WITHDRAWN and "gelombang 4" in skill.status_changes.last().reason
    for platform in Platform.objects.filter(slug__in=[p[1] for p in demo.PLATFORMS_2020]):
        path = [c.to_status for c in platform.status_changes.all()]
        assert path[:6] == ["applied", "under_evaluation", "approved", "mou_signed", "integrating", "active"]
        signed = platform.status_changes.get(to_status="mou_signed")
        assert signed.details["signed_on"] == "2020-03-20"
        assert platform.evaluations.get().decided_by.email == demo.APPROVER_EMAIL
    applicants = dict(Platform.objects.filter(name__in=[a[0] for a in demo.APPLICANTS]).values_list("name", "status"))
    assert applicants == {"KelasKerja": "applied", "Vokasi Digital": "under_evaluation",
                          "Pasar Ilmu": "under_evaluation", "Latih Daerah": "integrating"}
    assert Evaluation.objects.filter(status=Evaluation.Status.SUBMITTED).count() == 1
    work = pending_work()
    assert work["mous_due_for_renewal"] == 1 and work["approvals_waiting"] == 1
    logins = [login for _who, login, _pw in ctx.logins]
    assert demo.EVALUATOR_EMAIL in logins and demo.APPROVER_EMAIL in logins

    rows = PlatformStatusChange.objects.count()
    demo.step_platforms(ctx)
    demo.step_lifecycle(ctx)
    assert PlatformStatusChange.objects.count() == rows and Platform.objects.count() == 12
    assert Platform.objects.get(slug="maubelajarapa").mou_term_end == dt.date(2022, 3, 19)
