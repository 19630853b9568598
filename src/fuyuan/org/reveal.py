"""Mobile numbers of post holders in clear (PIPL: shown only to those who need them, each
access logged). Every page shows them masked (138****1234); a member of a mechanism asks for
one number at a time with a POST, which is audited (`accounts.person.reveal_phone`) and
answered on a page that is not cached. Administrators and other readers only ever see the
masked form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Person, Post
from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record

from .models import Unit

ACTION = "accounts.person.reveal_phone"


def may_reveal_mobile(user: Any) -> bool:
    """Members of a mechanism contact each other's liaison officers: they may ask for a
    number; the administrators (三权分立) hold no business contacts and may not."""
    return bool(user.is_authenticated and scope_for(user).is_member)


def visible_people(user: Any) -> QuerySet[Person]:
    """The persons holding a post in a unit the user may read."""
    return Person.objects.filter(posts__unit__in=Unit.objects.visible_to(user)).distinct()


def reveal_mobile(actor: Any, person: Person) -> str:
    """The person's mobile number in clear: an audited read (refusals are audited too)."""
    if not may_reveal_mobile(actor):
        record(actor, ACTION, person, outcome="denied")
        raise PermissionDenied(ACTION)
    record(actor, ACTION, person, detail={"field": "phone"})
    return person.phone


@login_required
@require_POST
def contact_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    if not may_reveal_mobile(user):
        raise PermissionDenied(ACTION)
    person = get_object_or_404(visible_people(user), pk=pk)
    clear = reveal_mobile(user, person)
    posts = (
        Post.objects.filter(holder=person, unit__in=Unit.objects.visible_to(user))
        .select_related("unit")
        .order_by("unit__order_no", "order", "pk")
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    response = render(
        request,
        "org/contact_reveal.html",
        {"person": person, "clear": clear, "posts": list(posts), "back": back},
    )
    add_never_cache_headers(response)
    return response
