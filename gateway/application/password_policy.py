"""What a new password set through the API (a new user, a reset) must be: at least 10
characters and a zxcvbn strength score of 3 or more ("safely unguessable" against an online
attack: about 10^8 guesses), measured with the user's own name and username as known words.

The demo users' seed (SEED_DEMO, local stack only) is not held to this.
"""

from __future__ import annotations

from collections.abc import Sequence

from zxcvbn import zxcvbn

from plumbing.errors import Invalid

MIN_LENGTH = 10
MIN_SCORE = 3
# zxcvbn refuses longer input (and grows slow with length); a longer password is at least as
# strong as its first 72 characters.
SCORED_LENGTH = 72


class WeakPassword(Invalid):
    code = "weak_password"


def check_new_password(password: str, known_words: Sequence[str] = ()) -> None:
    """Raises WeakPassword (422) saying why, in English; returns for an acceptable one."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"password: at least {MIN_LENGTH} characters, please")
    words = [w for w in known_words if w]
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=words)
    score = int(result["score"])
    if score < MIN_SCORE:
        feedback = result["feedback"]
        hints = " ".join(
            part for part in [feedback.get("warning", ""), *feedback.get("suggestions", [])] if part
        )
        raise WeakPassword(
            f"password: too easy to guess (strength {score} of 4, {MIN_SCORE} needed)"
            + (f". {hints}" if hints else ""),
            strength=score,
        )
