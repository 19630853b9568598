"""Placeholder until this module is written (replaced by its owner)."""

from django.http import Http404


def report_edit(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def report_docx(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
