"""Why the media service refuses: a stable code, a human message and, for some, details the
client needs (`extra`, e.g. the refused purpose, or the pixel budget).

They carry no HTTP status: the rules do not know they are served over HTTP. Each refusal is
of one kind below; the media entrypoints map the kinds to statuses in one table
(entrypoints/errors.py). A refusal names its `code` (the API's) and is never raised as the
bare root, so every one has a kind and therefore a status.
"""

from __future__ import annotations


class MediaRefusal(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra


class Unacceptable(MediaRefusal):
    """The declaration or the uploaded content is not what may be kept."""

    code = "invalid_input"


class TooBig(MediaRefusal):
    """More bytes than a file of its kind may have."""

    code = "too_large"


class NotPermitted(MediaRefusal):
    """This person (role, or not the uploader) may not do this to this item."""

    code = "forbidden"


class MediaNotFound(MediaRefusal):
    code = "not_found"


class WrongState(MediaRefusal):
    """The item is not in a state this step applies to (already attached, not attached, a
    client key reused for another file)."""

    code = "conflict"
