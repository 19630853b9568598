"""Placeholder until this module is written (replaced by its owner)."""

from django.http import Http404


def import_start(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def import_preview(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def import_confirm(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def import_sample(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
