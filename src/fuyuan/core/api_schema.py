"""The API's schema class (settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]), apart from
`core.api_policy` because drf-spectacular's AutoSchema imports DRF's generic views, which in
turn import the policy classes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema


class Schema(AutoSchema):
    """drf-spectacular's schema with the error answers every operation may give, declared once
    in the one error shape (core.api.ErrorSerializer): 400 (a bad filter, body or rule), 401
    (no or a bad token), 403 (no scope, no grant, no permission), 404 (an unknown or hidden
    record, a page past the end), 429 (the rate limit), and for writes 409 (a stale version, a
    conflicting batch id). An operation's own declaration of a code wins."""

    ERROR_CODES = ("400", "401", "403", "404", "429")

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        from .api import ErrorSerializer

        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = self.ERROR_CODES if self.method in ("GET", "HEAD") else (*self.ERROR_CODES, "409")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
        return responses
