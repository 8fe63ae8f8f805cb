"""Exceptions shared by the command-line front ends and the package (no imports, no cycles)."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the command line or its inputs: one line on stderr, exit status 2."""
