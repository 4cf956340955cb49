"""Reads for the program office: quarterly figures, pending work, the applicant's status page."""
from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone

from .models import Evaluation, Platform

REDEEMED_WITHIN = dt.timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def platform_get_by_token(*, token: str) -> Platform | None:
    if not token or len(token) > 100:
        return None
    return Platform.objects.filter(status_token_hash=token_hash(token)).first()


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_previous(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a quarter on the program's clock (Asia/Jakarta)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz) if quarter == 4 else dt.datetime(year, 3 * quarter + 1, 1, tzinfo=tz)
    return start, end


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def platform_figures(*, platform: Platform, year: int, quarter: int) -> dict:
    """The figures a quarterly review judges, from the orders placed in that quarter:
    sales (count, rupiah, share of all platforms' rupiah), participants served, completion rate,
    average rating, refund rate and the share of orders redeemed within 7 days of purchase.
    Rates are over the quarter's orders (refunded ones excluded, except for the refund rate); a rate
    with nothing to divide is None. JSON-ready: this is what a review stores."""
    from catalog.models import Enrollment, Rating

    start, end = quarter_bounds(year, quarter)
    in_quarter = Enrollment.objects.filter(created_at__gte=start, created_at__lt=end)
    paid = Q(~Q(status=Enrollment.Status.REFUNDED))
    mine = in_quarter.filter(platform=platform).aggregate(
        orders=Count("pk"),
        kept=Count("pk", filter=paid),
        refunded=Count("pk", filter=Q(status=Enrollment.Status.REFUNDED)),
        sales=Sum("price", filter=paid, default=0),
        participants=Count("participant", filter=paid, distinct=True),
        completed=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
        redeemed_fast=Count("pk", filter=paid & Q(redeemed_at__isnull=False)
                            & Q(redeemed_at__lte=F("created_at") + REDEEMED_WITHIN)),
    )
    all_sales = in_quarter.filter(paid).aggregate(total=Sum("price", default=0))["total"]
    rating = Rating.objects.filter(enrollment__platform=platform, enrollment__created_at__gte=start,
                                   enrollment__created_at__lt=end).aggregate(avg=Avg("stars"), n=Count("pk"))
    return {
        "year": year,
        "quarter": quarter,
        "orders": mine["orders"],
        "sales_count": mine["kept"],
        "sales_rupiah": int(mine["sales"]),
        "sales_share": _share(int(mine["sales"]), int(all_sales)),
        "participants_served": mine["participants"],
        "completion_rate": _share(mine["completed"], mine["kept"]),
        "average_rating": round(float(rating["avg"]), 2) if rating["avg"] is not None else None,
        "ratings": rating["n"],
        "refund_rate": _share(mine["refunded"], mine["orders"]),
        "redeemed_within_7_days": _share(mine["redeemed_fast"], mine["kept"]),
    }


def platform_review_figures(*, platform: Platform, year: int, quarter: int) -> tuple[dict, dict]:
    """This quarter's figures and the previous quarter's, side by side."""
    return (platform_figures(platform=platform, year=year, quarter=quarter),
            platform_figures(platform=platform, year=quarter_previous(year, quarter)[0],
                             quarter=quarter_previous(year, quarter)[1]))


def platforms_due_for_renewal():
    live = [s for s in Platform.Status if s not in Platform.FINAL]
    return Platform.objects.filter(status__in=live, mou_term_end__lt=timezone.localdate()).order_by("mou_term_end")


def platforms_review_due():
    """Platforms under periodic evaluation with no review yet of the last completed quarter."""
    year, quarter = quarter_previous(*quarter_of(timezone.localdate()))
    return (Platform.objects.filter(status__in=[Platform.Status.ACTIVE, Platform.Status.WARNED,
                                                Platform.Status.SUSPENDED])
            .exclude(reviews__year=year, reviews__quarter=quarter))


def pending_work() -> dict[str, int]:
    """What waits for the program office: the admin index panel."""
    from catalog.models import Course, Institution, Partnership

    return {
        "applications_to_evaluate": Platform.objects.filter(
            status__in=[Platform.Status.APPLIED, Platform.Status.UNDER_EVALUATION]).exclude(
            evaluations__status=Evaluation.Status.SUBMITTED).count(),
        "approvals_waiting": Evaluation.objects.filter(status=Evaluation.Status.SUBMITTED).count(),
        "mous_to_sign": Platform.objects.filter(status=Platform.Status.APPROVED).count(),
        "integrations": Platform.objects.filter(status=Platform.Status.INTEGRATING).count(),
        "institutions_to_curate": Institution.objects.filter(status=Institution.Status.UNDER_CURATION).count(),
        "courses_to_curate": Course.objects.filter(status=Course.Status.UNDER_CURATION).count(),
        "partnerships_to_curate": Partnership.objects.filter(status=Partnership.Status.PROPOSED).count(),
        "mous_due_for_renewal": platforms_due_for_renewal().count(),
        "reviews_due": platforms_review_due().count(),
    }
