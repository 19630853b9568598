"""Pages of the dual lists: calls, a call's lists with the late units, an item with the
actions its graph allows, the propose form, the draft/approved comparison and the export.
Reads go through visible_to(user) (not visible → 404); writes through duallists.actions (not
permitted → 403)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import can, relations_to, require, scope_for
from fuyuan.core.models import StaleObjectError
from fuyuan.core.workflow import TransitionError
from fuyuan.org.models import Mechanism

from . import actions, exports, queries
from . import workflow as wf
from .forms import (
    ArbitrateForm,
    CallForm,
    CarryOverForm,
    CommentForm,
    ItemForm,
    MeetingForm,
    MergeForm,
    RateForm,
    apply_errors,
)
from .models import ListCall, ListItem, VersionKind

PER_PAGE = 50


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("duallists")
    return user


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _run(request: HttpRequest, form: Any, write: Callable[[], Any], success: str) -> bool:
    """Call an action; put its errors on the form. True when it succeeded."""
    try:
        write()
    except TransitionError as exc:
        field = "comment" if exc.code == "workflow.comment_required" else None
        if field and field not in form.fields:
            field = None
        form.add_error(field, ValidationError(exc.message, code=exc.code))
    except StaleObjectError as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        apply_errors(form, exc)
    else:
        messages.success(request, success)
        return True
    return False


# --- calls ------------------------------------------------------------------------------------
def _openable_mechanisms(user: Any) -> list[Mechanism]:
    return [
        m
        for m in Mechanism.objects.visible_to(user).select_related("jurisdiction")
        if actions.may_open_call(user, m)
    ]


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    rows = queries.visible_calls(user).order_by("-year", "mechanism__jurisdiction__path")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "duallists/call_list.html",
        {"page": page, "query": "", "openable": _openable_mechanisms(user)},
    )


@login_required
def call_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    openable = _openable_mechanisms(user)
    if not openable:
        raise PermissionDenied("open_call")
    mechanism = openable[0]
    if request.GET.get("mechanism"):
        wanted = _pk(request.GET["mechanism"])
        mechanism = next((m for m in openable if m.pk == wanted), None)  # type: ignore[assignment]
        if mechanism is None:
            raise PermissionDenied("open_call")
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = CallForm(
        data,
        initial={"year": today.year + 1, "proposal_deadline": today + datetime.timedelta(days=20)},
    )
    if data is not None and form.is_valid():
        created: list[ListCall] = []
        if _run(
            request,
            form,
            lambda: created.append(actions.open_call(user, mechanism, **form.cleaned_data)),
            _("The call was opened and the member units were told."),
        ):
            return redirect("duallists:call_detail", created[0].pk)
    return render(request, "duallists/call_form.html", {"form": form, "mechanism": mechanism})


def _call_context(request: HttpRequest, user: Any, call: ListCall, **extra: Any) -> dict[str, Any]:
    call_relations = relations_to(user, call)
    call_steps = wf.CALL_WORKFLOW.available(call.state, call_relations)
    sees_all = can(user, "see_all", call)
    late = actions.late_units(call) if sees_all else []
    later_calls = ListCall.objects.visible_to(user).filter(
        mechanism=call.mechanism, year__gt=call.year, state__in=[wf.CALL_OPEN, wf.CALL_CLOSED]
    )
    context = {
        "call": call,
        "groups": queries.grouped_items(user, call),
        "count_rows": queries.count_rows(queries.state_counts(user, call)),
        "call_steps": [t.name for t in call_steps],
        "can_propose": can(user, "propose", call) and actions.proposable_units(user, call).exists(),
        "can_urge": can(user, "urge", call) and call.state == wf.CALL_OPEN,
        "can_register": can(user, "register_matters", call)
        and call.state == wf.CALL_APPROVED
        and call.items.filter(state=wf.APPROVED, matter__isnull=True).exists(),
        "can_carry": can(user, "carry_over", call)
        and call.state == wf.CALL_APPROVED
        and later_calls.exists(),
        "can_export": can(user, "export", call),
        "docx": exports.docx_available(),
        "late_units": late,
        "past_deadline": timezone.localdate() > call.proposal_deadline,
        "versions": list(call.versions.order_by("number")) if sees_all else [],
        "meeting_form": MeetingForm(),
        "carry_form": CarryOverForm(targets=later_calls),
    }
    context.update(extra)
    return context


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    call = get_object_or_404(queries.visible_calls(user), pk=pk)
    return render(request, "duallists/call_detail.html", _call_context(request, user, call))


def _visible_call(request: HttpRequest, pk: int) -> tuple[Any, ListCall]:
    user = _member(request)
    return user, get_object_or_404(queries.visible_calls(user), pk=pk)


@login_required
@require_POST
def call_close(request: HttpRequest, pk: int) -> HttpResponse:
    user, call = _visible_call(request, pk)
    require(user, "close", call)
    form = CommentForm(request.POST)
    if _run(request, form, lambda: actions.close_call(user, call), _("The call was closed.")):
        return redirect("duallists:call_detail", call.pk)
    return _call_error(request, user, pk, form)


def _call_error(request: HttpRequest, user: Any, pk: int, form: Any) -> HttpResponse:
    call = get_object_or_404(queries.visible_calls(user), pk=pk)
    context = _call_context(request, user, call, error_form=form)
    return render(request, "duallists/call_detail.html", context, status=400)


@login_required
@require_POST
def call_meeting(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """settle_draft or approve: both record a meeting."""
    user, call = _visible_call(request, pk)
    if step not in ("settle_draft", "approve"):
        raise Http404
    require(user, step, call)
    form = MeetingForm(request.POST)
    if form.is_valid():
        ref = form.cleaned_data["meeting_ref"]
        if step == "settle_draft":
            ok = _run(
                request,
                form,
                lambda: actions.settle_draft(user, call, meeting_ref=ref),
                _("The draft was settled."),
            )
        else:
            ok = _run(
                request,
                form,
                lambda: actions.approve(
                    user, call, meeting_ref=ref, approved_on=form.cleaned_data["approved_on"]
                ),
                _("The approval was recorded."),
            )
        if ok:
            return redirect("duallists:call_detail", call.pk)
    return _call_error(request, user, pk, form)


@login_required
@require_POST
def call_register(request: HttpRequest, pk: int) -> HttpResponse:
    user, call = _visible_call(request, pk)
    require(user, "register_matters", call)
    form = CommentForm(request.POST)
    if _run(
        request,
        form,
        lambda: actions.register_matters(user, call),
        _("The matters were registered and assigned."),
    ):
        return redirect("duallists:call_detail", call.pk)
    return _call_error(request, user, pk, form)


@login_required
@require_POST
def call_urge(request: HttpRequest, pk: int) -> HttpResponse:
    user, call = _visible_call(request, pk)
    require(user, "urge", call)
    units = actions.urge(user, call)
    messages.success(
        request, _("%(n)s units were urged.") % {"n": len(units)} if units else _("Nobody is late.")
    )
    return redirect("duallists:call_detail", call.pk)


@login_required
@require_POST
def call_carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    user, call = _visible_call(request, pk)
    require(user, "carry_over", call)
    targets = ListCall.objects.visible_to(user).filter(mechanism=call.mechanism, year__gt=call.year)
    form = CarryOverForm(request.POST, targets=targets)
    if form.is_valid():
        carried: list[Any] = []
        if _run(
            request,
            form,
            lambda: carried.extend(
                actions.carry_over(
                    user,
                    call,
                    form.cleaned_data["to_call"],
                    deadline=form.cleaned_data["deadline"],
                )
            ),
            _("Unfinished items were carried over."),
        ):
            return redirect("duallists:call_detail", form.cleaned_data["to_call"].pk)
    return _call_error(request, user, pk, form)


@login_required
def call_compare(request: HttpRequest, pk: int) -> HttpResponse:
    user, call = _visible_call(request, pk)
    if not can(user, "see_all", call):
        raise PermissionDenied("compare")
    versions = list(call.versions.order_by("number"))
    by_number = {v.number: v for v in versions}
    old = by_number.get(_pk(request.GET["old"])) if request.GET.get("old") else None
    new = by_number.get(_pk(request.GET["new"])) if request.GET.get("new") else None
    old = old or queries.latest_version(call, VersionKind.DRAFT)
    new = new or queries.latest_version(call, VersionKind.APPROVED)
    if new is None and versions:
        new = versions[-1]
    rows = queries.diff_versions(old, new) if old and new and old != new else []
    return render(
        request,
        "duallists/call_compare.html",
        {"call": call, "versions": versions, "old": old, "new": new, "rows": rows},
    )


@login_required
def call_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    user, call = _visible_call(request, pk)
    require(user, "export", call)
    if fmt == "xlsx":
        return exports.approved_lists_xlsx(call)
    if fmt == "docx" and exports.docx_available():
        return exports.approved_lists_docx(call)
    raise Http404


# --- items ------------------------------------------------------------------------------------
@login_required
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    user, call = _visible_call(request, pk)
    require(user, "propose", call)
    units = actions.proposable_units(user, call)
    if not units.exists():
        raise PermissionDenied("propose")
    data = request.POST if request.method == "POST" else None
    only = list(units[:2])
    form = ItemForm(
        data,
        call=call,
        proposing_units=units,
        initial={"proposing_unit": only[0].pk} if len(only) == 1 else {},
    )
    if data is not None and form.is_valid():
        created: list[ListItem] = []
        values = dict(form.cleaned_data)
        values.pop("version", None)
        if _run(
            request,
            form,
            lambda: created.append(actions.propose(user, call, **values)),
            _("The item was proposed."),
        ):
            return redirect("duallists:item_detail", created[0].pk)
    return render(
        request, "duallists/item_form.html", {"form": form, "call": call, "mode": "propose"}
    )


def _item_context(user: Any, item: ListItem, **extra: Any) -> dict[str, Any]:
    relations = relations_to(user, item)
    steps = {t.name: t for t in wf.ITEM_WORKFLOW.available(item.state, relations)}
    merge_candidates: Any = ListItem.objects.none()
    if "merge" in steps or can(user, "revise", item):
        merge_candidates = (
            queries.visible_items(user)
            .filter(call=item.call, list_kind=item.list_kind, state__in=wf.LIVE_STATES)
            .exclude(pk=item.pk)
        )
    context = {
        "item": item,
        "co_units": list(item.co_units.order_by("order_no", "pk")),
        "simple_steps": [steps[n] for n in wf.SIMPLE_ITEM_TRANSITIONS if n in steps],
        "can_arbitrate": "arbitrate" in steps,
        "can_resubmit": "resubmit" in steps,
        "can_revise": can(user, "revise", item),
        "can_merge": can(user, "revise", item) and merge_candidates.exists(),
        "can_rate": can(user, "rate", item),
        "comment_form": CommentForm(initial={"version": item.version}),
        "arbitrate_form": ArbitrateForm(initial={"version": item.version}, item=item)
        if "arbitrate" in steps
        else None,
        "merge_form": MergeForm(candidates=merge_candidates),
        "rate_form": RateForm(),
        "merged_items": list(item.merged_items.all()),
        "carried_into": list(queries.visible_items(user).filter(carried_over_from=item)),
    }
    context.update(extra)
    return context


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    item = get_object_or_404(queries.visible_items(user), pk=pk)
    return render(request, "duallists/item_detail.html", _item_context(user, item))


def _visible_item(request: HttpRequest, pk: int) -> tuple[Any, ListItem]:
    user = _member(request)
    return user, get_object_or_404(queries.visible_items(user), pk=pk)


def _item_error(request: HttpRequest, user: Any, pk: int, **forms: Any) -> HttpResponse:
    item = get_object_or_404(queries.visible_items(user), pk=pk)
    return render(
        request, "duallists/item_detail.html", _item_context(user, item, **forms), status=400
    )


_SIMPLE = {
    "claim": (lambda u, i, c, v: actions.claim(u, i, expected_version=v), _("Claimed.")),
    "object": (lambda u, i, c, v: actions.object_to(u, i, c, expected_version=v), _("Objected.")),
    "accept": (
        lambda u, i, c, v: actions.accept(u, i, expected_version=v),
        _("Accepted into the draft."),
    ),
    "return_item": (
        lambda u, i, c, v: actions.return_item(u, i, c, expected_version=v),
        _("Returned to the proposer."),
    ),
}


@login_required
@require_POST
def item_transition(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user, item = _visible_item(request, pk)
    if step not in _SIMPLE:
        raise Http404
    actions.check_transition(user, item, step)
    form = CommentForm(request.POST)
    if form.is_valid():
        write, success = _SIMPLE[step]
        comment = form.cleaned_data["comment"]
        version = form.cleaned_data.get("version")
        if _run(request, form, lambda: write(user, item, comment, version), str(success)):
            return redirect("duallists:item_detail", item.pk)
    return _item_error(request, user, pk, comment_form=form)


@login_required
@require_POST
def item_arbitrate(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _visible_item(request, pk)
    actions.check_transition(user, item, "arbitrate")
    form = ArbitrateForm(request.POST, item=item)
    if form.is_valid() and _run(
        request,
        form,
        lambda: actions.arbitrate(
            user,
            item,
            comment=form.cleaned_data["comment"],
            lead_unit=form.cleaned_data["lead_unit"],
            expected_version=form.cleaned_data.get("version"),
        ),
        _("The objection was decided."),
    ):
        return redirect("duallists:item_detail", item.pk)
    return _item_error(request, user, pk, arbitrate_form=form)


def _edit(request: HttpRequest, pk: int, mode: str) -> HttpResponse:
    user, item = _visible_item(request, pk)
    if mode == "resubmit":
        actions.check_transition(user, item, "resubmit")
    else:
        require(user, "revise", item)
    data = request.POST if request.method == "POST" else None
    form = ItemForm(data, call=item.call, initial=ItemForm.initial_from(item))
    if data is not None and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version", None)
        write = actions.resubmit if mode == "resubmit" else actions.revise_item
        if _run(
            request,
            form,
            lambda: write(user, item, expected_version=version, **values),
            _("The item was resubmitted.") if mode == "resubmit" else _("The item was revised."),
        ):
            return redirect("duallists:item_detail", item.pk)
    return render(
        request,
        "duallists/item_form.html",
        {"form": form, "call": item.call, "item": item, "mode": mode},
    )


@login_required
def item_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, "resubmit")


@login_required
def item_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, "revise")


@login_required
@require_POST
def item_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another item (chosen in the form) into this one."""
    user, item = _visible_item(request, pk)
    require(user, "revise", item)
    candidates = (
        queries.visible_items(user)
        .filter(call=item.call, list_kind=item.list_kind, state__in=wf.LIVE_STATES)
        .exclude(pk=item.pk)
    )
    form = MergeForm(request.POST, candidates=candidates)
    if form.is_valid() and _run(
        request,
        form,
        lambda: actions.merge(user, item, form.cleaned_data["other"], form.cleaned_data["comment"]),
        _("The items were merged."),
    ):
        return redirect("duallists:item_detail", item.pk)
    return _item_error(request, user, pk, merge_form=form)


@login_required
@require_POST
def item_rate(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _visible_item(request, pk)
    require(user, "rate", item)
    form = RateForm(request.POST)
    if form.is_valid() and _run(
        request,
        form,
        lambda: actions.rate(user, item, **form.cleaned_data),
        _("Thank you: the rating was recorded."),
    ):
        return redirect("duallists:item_detail", item.pk)
    return _item_error(request, user, pk, rate_form=form)
