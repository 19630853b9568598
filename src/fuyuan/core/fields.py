"""Model fields for personal data: an encrypted text column and its blind index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores the SM4-GCM ciphertext; Python code sees the plaintext."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if isinstance(value, str) and value.startswith(crypto.PREFIX + ":"):
            return value
        return crypto.encrypt(str(value))


def _identity(value: str) -> str:
    return value


class BlindIndexField(models.CharField):
    """HMAC-SM3 of a normalised source field, recomputed on every save (bulk paths too), so
    equality search works without decrypting a column."""

    def __init__(
        self,
        *args: Any,
        source: str = "",
        normalize: Callable[[str], str] = _identity,
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.normalize = normalize
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        # Explicit either way: __init__ defaults it to True, unlike CharField.
        kwargs["db_index"] = self.db_index  # type: ignore[attr-defined]
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        raw = getattr(model_instance, self.source) or ""
        value = crypto.blind_index(self.normalize(raw)) if raw else ""
        setattr(model_instance, self.attname, value)
        return value

    def lookup_value(self, raw: str) -> str:
        return crypto.blind_index(self.normalize(raw))
