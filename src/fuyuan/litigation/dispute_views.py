"""Placeholder until this module is written (replaced by its owner)."""

from django.http import Http404


def dispute_list(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def dispute_create(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def dispute_detail(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def dispute_step_add(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def dispute_transition(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
