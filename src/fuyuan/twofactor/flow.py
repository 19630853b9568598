"""The step after the password: called by accounts' LoginView once the password is accepted."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import SESSION_KEY, policy


def after_password(request: HttpRequest, response: HttpResponse, next_url: str) -> HttpResponse:
    """A password alone never verifies a session: the flag is cleared, and a user who has a
    second factor (or must have one) goes to verification (or enrolment) before `next_url`."""
    request.session.pop(SESSION_KEY, None)
    state = policy.status(request)
    if state == policy.OK:
        return response
    route = "twofactor:verify" if state == policy.VERIFY else "twofactor:enrol"
    return redirect(f"{reverse(route)}?{urlencode({'next': next_url})}")
