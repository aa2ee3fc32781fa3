"""Capability secrets: made with 192 random bits, stored only as hashes."""

import hashlib
import hmac
import secrets

TOKEN_BYTES = 24  # 192 bits: well past the 128 the design asks for


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_id() -> str:
    """A public identifier: unguessable enough that ids do not enumerate ateliers."""
    return secrets.token_urlsafe(9)


def hash_token(token: str) -> str:
    # The secret is random and long, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)
