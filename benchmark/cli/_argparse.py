"""An ``ArgumentParser`` whose errors are one line (with "did you mean") and exit status 2.

argparse prints the whole usage block before an error; a user mistake here is one line on
stderr instead, naming the program, what is wrong and, for a mistyped option, the closest
known option.

Example:
    >>> p = OneLineParser(prog="demo")
    >>> _ = p.add_argument("--model")
    >>> p.suggestion("unrecognized arguments: --modle jieba")
    '; did you mean --model?'
    >>> positive_int("3"), positive_float("0.5")
    (3, 0.5)
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with one-line errors and option suggestions."""

    def suggestion(self, message: str) -> str:
        """"; did you mean --x?" for the first unknown option named in ``message`` (else "")."""
        known = [s for s in self._option_string_actions if s.startswith("--")]
        for word in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", message):
            if word in self._option_string_actions:
                continue
            close = difflib.get_close_matches(word.split("=")[0], known, n=1, cutoff=0.6)
            if close:
                return f"; did you mean {close[0]}?"
        return ""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE[; did you mean --x?] (see --help)`` and exit 2."""
        line = " ".join(f"{message}{self.suggestion(message)}".split())
        sys.stderr.write(f"{self.prog}: error: {line} (see --help)\n")
        sys.exit(2)


def positive_int(value: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {number}")
    return number


def positive_float(value: str) -> float:
    """argparse type: a finite number of seconds > 0."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {value}")
    return number
