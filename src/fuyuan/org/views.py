"""Views of the org app: joint meetings, units, the directory, the jurisdiction tree and
membership changes. Every read goes through `visible_to(user)` (not visible → 404); every
write through org.actions (not permitted → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Post, Role
from fuyuan.accounts.permissions import Scope, can, relations_to, require, scope_for
from fuyuan.core.masking import mask_phone
from fuyuan.core.models import StaleObjectError
from fuyuan.core.workflow import TransitionError

from . import actions, queries
from .forms import (
    ChangeFilterForm,
    ContactsForm,
    ItemFormSet,
    LiaisonAccountForm,
    MechanismSettingsForm,
    MembershipChangeForm,
    ReorganiseForm,
    SearchForm,
    TransitionForm,
    UnitFilterForm,
    UnitForm,
    apply_errors,
)
from .models import (
    SEAT_ROLE_ORDER,
    Mechanism,
    MembershipChange,
    Seat,
    SeatRole,
    Unit,
)
from .settings_schema import LABELS, OPTIONAL_STEPS, SECOND_FACTORS
from .workflow import MEMBERSHIP_CHANGE

PER_PAGE = 50


# --- helpers ----------------------------------------------------------------------------------
def _reader(request: HttpRequest) -> tuple[Any, Scope]:
    """Members of a mechanism and the system and security administrators read reference data;
    the audit administrator (and a login without roles) does not."""
    user: Any = request.user
    scope = scope_for(user)
    if not (scope.is_member or scope.all_reference):
        raise PermissionDenied("org")
    return user, scope


def _member(request: HttpRequest) -> tuple[Any, Scope]:
    user: Any = request.user
    scope = scope_for(user)
    if not scope.is_member:
        raise PermissionDenied("org")
    return user, scope


def _change_reader(request: HttpRequest, pk: int) -> tuple[Any, Any]:
    """Members, and the security administrator for the liaison accounts it confirms (any
    other change stays 403 to it, as to the other administrators)."""
    user: Any = request.user
    scope = scope_for(user)
    if not (scope.is_member or Role.SECURITY_ADMIN in scope.roles):
        raise PermissionDenied("org")
    visible = queries.visible_changes(user)
    if not scope.is_member and not visible.filter(pk=pk).exists():
        raise PermissionDenied("org")
    return user, visible


def _page(request: HttpRequest, rows: Any, per_page: int = PER_PAGE) -> Page:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _contact(person: Any, scope: Scope) -> dict[str, Any] | None:
    """A post holder's contact details. The mobile number is personal data: masked on every
    page; members may ask for it in clear, one audited POST at a time (org.reveal)."""
    if person is None:
        return None
    return {
        "name": person.name,
        "office_phone": person.office_phone,
        "mobile": mask_phone(person.phone),
        "person_id": person.pk,
        "can_reveal": bool(person.phone) and scope.is_member,
        "email": person.email,
    }


def _names(units: Any) -> str:
    return pgettext("list separator", ", ").join(u.name for u in units)


def _pk(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise Http404 from exc


# --- joint meetings ---------------------------------------------------------------------------
@login_required
def mechanism_list(request: HttpRequest) -> HttpResponse:
    user, _scope = _reader(request)
    today = timezone.localdate()
    current_member = Q(seats__role=SeatRole.MEMBER) & (
        Q(seats__left_on__isnull=True) | Q(seats__left_on__gt=today)
    )
    rows = (
        queries.visible_mechanisms(user)
        .annotate(member_count=Count("seats", filter=current_member))
        .order_by("jurisdiction__path")
    )
    page = _page(request, rows)
    return render(request, "org/mechanism_list.html", {"page": page, "query": _query(request)})


@login_required
def mechanism_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, scope = _reader(request)
    mechanism = get_object_or_404(queries.visible_mechanisms(user), pk=pk)
    seats = list(queries.mechanism_seats(mechanism))
    for seat in seats:
        holder = seat.liaison_post.holder if seat.liaison_post else None
        seat.liaison = _contact(holder, scope)  # type: ignore[attr-defined]
        seat.former_names = _names(seat.unit.predecessor_list)  # type: ignore[attr-defined]
    conveners = sorted(
        (s for s in seats if s.role in queries.CONVENER_ROLES),
        key=lambda s: (SEAT_ROLE_ORDER[SeatRole(s.role)], s.order, s.unit.order_no, s.pk),
    )
    members = sorted(
        (s for s in seats if s.role == SeatRole.MEMBER),
        key=lambda s: (s.unit.order_no, s.pk),
    )
    config = mechanism.config
    settings_rows = [(LABELS[name], getattr(config, name)) for name in actions.SETTINGS_INT_FIELDS]
    context = {
        "mechanism": mechanism,
        "conveners": conveners,
        "members": members,
        "task_areas": list(mechanism.task_areas.all()),
        "list_kinds": list(mechanism.list_kinds.all()),
        "settings_rows": settings_rows,
        "enabled_steps": [OPTIONAL_STEPS[s] for s in config.enabled_steps if s in OPTIONAL_STEPS],
        "second_factors": [SECOND_FACTORS[f] for f in config.second_factors if f in SECOND_FACTORS],
        "changes": list(queries.visible_changes(user).filter(mechanism=mechanism)),
        "can_propose": can(user, "propose_membership_change", mechanism),
        "can_change_settings": can(user, "change_settings", mechanism),
        "show_mobile": scope.is_member,
    }
    return render(request, "org/mechanism_detail.html", context)


@login_required
def mechanism_settings(request: HttpRequest, pk: int) -> HttpResponse:
    user, _scope = _reader(request)
    mechanism = get_object_or_404(queries.visible_mechanisms(user), pk=pk)
    require(user, "change_settings", mechanism)
    areas = list(mechanism.task_areas.all())
    kinds = list(mechanism.list_kinds.all())
    data = request.POST if request.method == "POST" else None
    form = MechanismSettingsForm(
        data, initial={**mechanism.config.to_json(), "version": mechanism.version}
    )
    area_set = ItemFormSet(
        data,
        prefix="areas",
        initial=[{"id": a.pk, "name": a.name, "active": a.active} for a in areas],
    )
    kind_set = ItemFormSet(
        data,
        prefix="kinds",
        initial=[{"id": k.pk, "name": k.name, "active": k.active} for k in kinds],
    )
    if data is not None and form.is_valid() and area_set.is_valid() and kind_set.is_valid():
        try:
            actions.update_mechanism_settings(
                user,
                mechanism,
                form.settings_values,
                task_areas=area_set.cleaned_data,
                list_kinds=kind_set.cleaned_data,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("org:mechanism_detail", mechanism.pk)
    context = {
        "mechanism": mechanism,
        "form": form,
        "area_set": area_set,
        "kind_set": kind_set,
        "area_rows": list(zip(area_set.forms, areas, strict=False)),
        "kind_rows": list(zip(kind_set.forms, kinds, strict=False)),
    }
    return render(request, "org/mechanism_settings.html", context)


# --- units ------------------------------------------------------------------------------------
@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    user, _scope = _reader(request)
    form = UnitFilterForm(request.GET or None, actor=user)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "q": form.cleaned_data["q"].strip(),
            "jurisdiction": form.cleaned_data["jurisdiction"],
            "kind": form.cleaned_data["kind"],
            "include_former": form.cleaned_data["former"],
        }
    page = _page(request, queries.unit_search(user, **filters))
    return render(
        request,
        "org/unit_list.html",
        {
            "page": page,
            "form": form,
            "query": _query(request),
            "can_create": actions.may_create_units(user),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, scope = _reader(request)
    visible_units = Unit.objects.visible_to(user)
    unit = get_object_or_404(
        visible_units.select_related("jurisdiction", "successor", "successor__jurisdiction"),
        pk=pk,
    )
    chain = unit.predecessor_chain()
    visible_ids = set(
        visible_units.filter(pk__in=[u.pk for u in chain]).values_list("pk", flat=True)
    )
    predecessors = [u for u in chain if u.pk in visible_ids]
    successor = unit.successor if unit.successor_id and can(user, "view", unit.successor) else None
    posts = list(Post.objects.filter(unit=unit).select_related("holder").order_by("order", "pk"))
    for post in posts:
        post.contact = _contact(post.holder, scope)  # type: ignore[attr-defined]
    seats = (
        Seat.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("mechanism", "post")
        .order_by("mechanism__jurisdiction__path", "order", "pk")
    )
    courts = []
    if unit.kind != "court":
        courts = sorted(
            visible_units.courts()
            .current()
            .filter(jurisdiction__path__in=unit.jurisdiction.ancestor_paths())
            .select_related("jurisdiction"),
            key=lambda c: (-len(c.jurisdiction.path), c.order_no, c.pk),
        )
    context = {
        "unit": unit,
        "predecessors": predecessors,
        "successor": successor,
        "posts": posts,
        "seats": list(seats),
        "courts": courts,
        "changes": list(queries.visible_changes(user).filter(unit=unit)),
        "can_edit": can(user, "change", unit),
        "can_contacts": can(user, "change_contacts", unit),
        "today": timezone.localdate(),
    }
    return render(request, "org/unit_detail.html", context)


def _unit_form(request: HttpRequest, user: Any, unit: Unit) -> HttpResponse:
    creating = unit.pk is None
    initial = {"order_no": 999} if creating else UnitForm.initial_for(unit)
    data = request.POST if request.method == "POST" else None
    form = UnitForm(data, actor=user, unit=unit, initial=initial)
    if data is not None and form.is_valid():
        try:
            saved = actions.save_unit(
                user,
                unit,
                form.unit_data,
                override_reason=form.override_reason,
                expected_version=None if creating else form.cleaned_data.get("version"),
            )
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.apply_action_errors(exc)
        except PermissionDenied:
            form.add_error("jurisdiction", _("You may not keep units of this jurisdiction."))
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("org:unit_detail", saved.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": None if creating else unit})


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not actions.may_create_units(user):
        raise PermissionDenied("create unit")
    return _unit_form(request, user, Unit())


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, _scope = _reader(request)
    unit = get_object_or_404(Unit.objects.visible_to(user).select_related("jurisdiction"), pk=pk)
    require(user, "change", unit)
    return _unit_form(request, user, unit)


@login_required
def unit_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    user, _scope = _reader(request)
    unit = get_object_or_404(Unit.objects.visible_to(user).select_related("jurisdiction"), pk=pk)
    require(user, "change_contacts", unit)
    data = request.POST if request.method == "POST" else None
    form = ContactsForm(data, unit=unit, liaison_post=queries.liaison_post_of(unit))
    if data is not None and form.is_valid():
        try:
            actions.save_unit_contacts(
                user,
                unit,
                liaison=form.liaison,
                holders=form.holders,
                liaison_version=form.cleaned_data.get("version"),
            )
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc, prefixes=("liaison_",))
        else:
            messages.success(request, _("The contacts were saved."))
            return redirect("org:unit_detail", unit.pk)
    return render(request, "org/unit_contacts.html", {"form": form, "unit": unit})


@login_required
def unit_reorganise(request: HttpRequest, pk: int) -> HttpResponse:
    user, _scope = _reader(request)
    unit = get_object_or_404(Unit.objects.visible_to(user).select_related("jurisdiction"), pk=pk)
    require(user, "change", unit)
    data = request.POST if request.method == "POST" else None
    form = ReorganiseForm(
        data,
        actor=user,
        unit=unit,
        initial={"version": unit.version, "last_day": timezone.localdate()},
    )
    if data is not None and form.is_valid():
        try:
            successor = actions.reorganise_unit(
                user,
                unit,
                last_day=form.cleaned_data["last_day"],
                successor=form.cleaned_data["successor"],
                new_unit=form.new_unit,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc, prefixes=("new_",))
        else:
            messages.success(
                request,
                _("%(old)s now ends; %(new)s takes over its work.")
                % {"old": unit.name, "new": successor.name},
            )
            return redirect("org:unit_detail", successor.pk)
    return render(request, "org/unit_reorganise.html", {"form": form, "unit": unit})


# --- directory and tree -----------------------------------------------------------------------
@login_required
def directory(request: HttpRequest) -> HttpResponse:
    user, scope = _reader(request)
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = _page(request, queries.directory_units(user, q), per_page=100)
    courts = queries.courts_by_jurisdiction_path(user)
    rows = []
    for unit in page:
        liaisons: list[dict[str, Any]] = []
        seen: set[int] = set()
        for seat in unit.liaison_seats:  # type: ignore[attr-defined]
            post = seat.liaison_post
            if post.pk in seen or post.holder is None:
                continue
            seen.add(post.pk)
            contact = _contact(post.holder, scope)
            assert contact is not None
            liaisons.append(contact)
        rows.append(
            {
                "unit": unit,
                "liaisons": liaisons or [{}],
                "courts": queries.counterpart_courts_of(unit, courts),
            }
        )
    return render(
        request,
        "org/directory.html",
        {"page": page, "rows": rows, "form": form, "query": _query(request)},
    )


@login_required
def jurisdiction_tree(request: HttpRequest) -> HttpResponse:
    user, _scope = _reader(request)
    return render(request, "org/jurisdiction_tree.html", {"nodes": queries.jurisdiction_tree(user)})


# --- membership changes -----------------------------------------------------------------------
@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    user, _scope = _member(request)
    form = ChangeFilterForm(request.GET or None)
    rows = queries.visible_changes(user)
    if form.is_valid():
        if form.cleaned_data["q"].strip():
            rows = rows.filter(unit__name__icontains=form.cleaned_data["q"].strip())
        if form.cleaned_data["state"]:
            rows = rows.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
    home = queries.home_mechanisms(user)
    proposable = [m for m in home if can(user, "propose_membership_change", m)]
    return render(
        request,
        "org/change_list.html",
        {
            "page": _page(request, rows),
            "form": form,
            "query": _query(request),
            "proposable": proposable,
            "provisionable": [m for m in home if actions.may_provision_liaisons(user, m)],
        },
    )


def _member_units(mechanism: Mechanism) -> Any:
    members = Seat.objects.filter(mechanism=mechanism, role=SeatRole.MEMBER).current()
    return (
        Unit.objects.current()
        .filter(pk__in=members.values("unit_id"), jurisdiction=mechanism.jurisdiction)
        .order_by("order_no", "pk")
    )


@login_required
def liaison_account_create(request: HttpRequest) -> HttpResponse:
    """The office provisions a member unit's liaison account (switched off, no role) and
    sends it to the security administrator to confirm."""
    user, _scope = _member(request)
    mechanisms = queries.visible_mechanisms(user)
    if request.GET.get("mechanism"):
        mechanism = get_object_or_404(mechanisms, pk=_pk(request.GET.get("mechanism")))
    else:
        candidates = [
            m for m in queries.home_mechanisms(user) if actions.may_provision_liaisons(user, m)
        ]
        if not candidates:
            raise PermissionDenied("provision liaison accounts")
        mechanism = candidates[0]
    if not actions.may_provision_liaisons(user, mechanism):
        raise PermissionDenied("provision liaison accounts")
    data = request.POST if request.method == "POST" else None
    form = LiaisonAccountForm(data, units=_member_units(mechanism))
    if data is not None and form.is_valid():
        try:
            change = actions.provision_liaison_account(user, mechanism, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The account was created switched off; it works once the security "
                    "administrator confirms the liaison role."
                ),
            )
            return redirect("org:change_detail", change.pk)
    return render(request, "org/liaison_account_form.html", {"form": form, "mechanism": mechanism})


def _proposable_units(user: Any, mechanism: Mechanism) -> Any:
    scope = scope_for(user)
    units = (
        Unit.objects.visible_to(user)
        .current()
        .filter(jurisdiction=mechanism.jurisdiction)
        .order_by("order_no", "pk")
    )
    if not scope.assigned_to(mechanism.jurisdiction_id, Role.OFFICE):
        units = units.filter(pk__in=sorted(scope.units.get(Role.LIAISON, frozenset())))
    return units


@login_required
def change_create(request: HttpRequest) -> HttpResponse:
    user, _scope = _member(request)
    mechanisms = queries.visible_mechanisms(user)
    if request.GET.get("mechanism"):
        mechanism = get_object_or_404(mechanisms, pk=_pk(request.GET.get("mechanism")))
    else:
        candidates = [
            m for m in queries.home_mechanisms(user) if can(user, "propose_membership_change", m)
        ]
        if not candidates:
            raise PermissionDenied("propose_membership_change")
        mechanism = candidates[0]
    require(user, "propose_membership_change", mechanism)
    units = _proposable_units(user, mechanism)
    if not units.exists():
        raise PermissionDenied("propose_membership_change")
    data = request.POST if request.method == "POST" else None
    only = list(units[:2])
    form = MembershipChangeForm(
        data, units=units, initial={"unit": only[0].pk} if len(only) == 1 else {}
    )
    if data is not None and form.is_valid():
        try:
            change = actions.propose_membership_change(
                user,
                mechanism,
                unit=form.cleaned_data["unit"],
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                representative_title=form.cleaned_data["representative_title"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The proposal was sent to the convener."))
            return redirect("org:change_detail", change.pk)
    return render(request, "org/change_form.html", {"form": form, "mechanism": mechanism})


def _render_change(
    request: HttpRequest, user: Any, change: MembershipChange, form: TransitionForm | None = None
) -> HttpResponse:
    transitions = MEMBERSHIP_CHANGE.available(change.state, relations_to(user, change))
    context = {
        "change": change,
        "transitions": transitions,
        "form": form or TransitionForm(initial={"version": change.version}),
    }
    return render(request, "org/change_detail.html", context)


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, visible = _change_reader(request, pk)
    change = get_object_or_404(visible, pk=pk)
    return _render_change(request, user, change)


@login_required
@require_POST
def change_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user, visible = _change_reader(request, pk)
    change = get_object_or_404(visible, pk=pk)
    try:
        step = MEMBERSHIP_CHANGE.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, change):
        raise PermissionDenied(step.name)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            actions.decide_membership_change(
                user,
                change,
                step.name,
                form.cleaned_data["comment"],
                expected_version=form.cleaned_data.get("version"),
            )
        except TransitionError as exc:
            field = "comment" if exc.code == "workflow.comment_required" else None
            form.add_error(field, ValidationError(exc.message, code=exc.code))
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
            return redirect("org:change_detail", change.pk)
    # The failed attempt may have touched the object in memory: show it as stored.
    change = get_object_or_404(visible, pk=pk)
    return _render_change(request, user, change, form)
