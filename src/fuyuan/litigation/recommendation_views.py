"""Placeholder until this module is written (replaced by its owner)."""

from django.http import Http404


def recommendation_list(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def recommendation_create(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def recommendation_detail(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def recommendation_edit(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def recommendation_reply(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def recommendation_urge(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def recommendation_transition(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def attachment_add(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def attachment_download(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
