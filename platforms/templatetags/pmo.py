"""The admin index panel of pending PMO work."""
from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from platforms.selectors import pending_work

register = template.Library()

ROWS = [
    ("applications_to_evaluate", _("Applications to evaluate"), "admin:platforms_platform_changelist", "stage=to_evaluate"),
    ("approvals_waiting", _("Evaluations waiting for sign-off"), "admin:platforms_evaluation_changelist",
     "status__exact=submitted"),
    ("mous_to_sign", _("Approved: MoU to sign"), "admin:platforms_platform_changelist", "status__exact=approved"),
    ("integrations", _("Integrating: to activate"), "admin:platforms_platform_changelist", "status__exact=integrating"),
    ("institutions_to_curate", _("Institutions to curate"), "admin:catalog_institution_changelist",
     "status__exact=under_curation"),
    ("courses_to_curate", _("Courses to curate"), "admin:catalog_course_changelist", "status__exact=under_curation"),
    ("partnerships_to_curate", _("Partnerships to decide"), "admin:catalog_partnership_changelist",
     "status__exact=proposed"),
    ("mous_due_for_renewal", _("MoUs due for renewal"), "admin:platforms_platform_changelist", "renewal=due"),
    ("reviews_due", _("Quarterly reviews due (last quarter)"), "admin:platforms_platform_changelist",
     "review=due"),
]


@register.simple_tag(takes_context=True)
def pmo_pending_work(context):
    request = context.get("request")
    if request is None or not request.user.has_perm("platforms.view_platform"):
        return []
    counts = pending_work()
    return [{"key": key, "label": label, "count": counts[key], "url": f"{reverse(name)}?{query}"}
            for key, label, name, query in ROWS]
