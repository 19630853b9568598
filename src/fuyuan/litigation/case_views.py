"""Placeholder until this module is written (replaced by its owner)."""

from django.http import Http404


def case_list(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def case_create(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def case_detail(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def case_edit(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def hearing_create(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def hearing_list(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def hearing_edit(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def appearance_record(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def appearance_transition(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
