"""Placeholder until this module is written (replaced by its owner)."""

from django.http import Http404


def figures(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def warnings(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
