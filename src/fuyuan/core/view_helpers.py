"""Small helpers every app's views share: putting an action's refusal on a form (codes
kept), and the query string of a list page without its page number (so filters stay in the
URL across pages)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .models import StaleObjectError
from .workflow import TransitionError

# What an action raises when it refuses a write; views catch these and show them on the form.
REFUSALS = (TransitionError, StaleObjectError, ValidationError)


def apply_refusal(form: Any, exc: Exception) -> None:
    """Put an action's refusal on the form: a missing comment on the `comment` field when the
    form has one, a stale version and other transition refusals as form errors, validation
    errors on the fields they name (else form-level). Anything else is re-raised."""
    if isinstance(exc, TransitionError):
        field = "comment" if exc.code == "workflow.comment_required" else None
        if field and field not in form.fields:
            field = None
        form.add_error(field, ValidationError(exc.message, code=exc.code))
    elif isinstance(exc, StaleObjectError):
        form.add_error(None, str(exc))
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        raise exc


def query_without_page(request: HttpRequest) -> str:
    """The list page's query string without `page`, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
