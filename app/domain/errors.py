"""Domain errors: a rule said no. The edge maps each code to an HTTP status or an error frame."""


class DomainError(Exception):
    """An operation the rules refuse; nothing was changed."""

    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidOperation(DomainError):
    code = "invalid"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class LimitReached(DomainError):
    code = "limit"


class Removed(DomainError):
    """The actor was removed from the atelier by the référent."""

    code = "removed"
