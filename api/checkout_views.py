"""The participant's confirmation page of a platform's checkout session."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render

from accounts.models import Participant
from accounts.selectors import participant_balance_get
from prakerja.exceptions import DomainError

from .models import CheckoutSession
from .services.checkout import checkout_session_confirm


def _return_url(session: CheckoutSession, **params) -> str:
    parts = urlsplit(session.return_url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [("checkout_session", session.public_id),
                                                              *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


@login_required
def checkout_confirm(request, session_id: str):
    session = get_object_or_404(CheckoutSession.objects.select_related(
        "platform", "listing__course__institution", "enrollment"), public_id=session_id)
    participant = Participant.objects.filter(profile__user=request.user).first()
    error = None
    if request.method == "POST" and participant is not None:
        try:
            enrollment = checkout_session_confirm(session=session, participant=participant, by_user=request.user)
            return HttpResponseRedirect(_return_url(session, order=enrollment.redemption_code))
        except DomainError as exc:
            error = exc
            session.refresh_from_db()
    state = session.current_status()
    balance = participant_balance_get(participant=participant) if participant else 0
    price = session.listing.price
    mine = bool(session.enrollment_id and participant and session.enrollment.participant_id == participant.pk)
    return render(request, "api/checkout.html", {
        "session": session, "listing": session.listing, "course": session.listing.course,
        "platform": session.platform, "participant": participant, "state": state, "error": error,
        "balance": balance, "price": price, "after": balance - price, "enough": balance >= price, "mine": mine,
        "back_url": _return_url(session, status="cancelled" if state == "open" else state),
        "done_url": _return_url(session, order=session.enrollment.redemption_code) if mine else None,
    }, status=409 if error else 200)
