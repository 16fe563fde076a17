"""Procedure kinds that other sections complete: they say whether a filing may be submitted
and what to record when it is approved.

An app registers its kinds in its AppConfig.ready():

    register_kind(ProcedureKind.RATING, check_submit=hooks.check_submit, on_approved=hooks.on_approved)

- check_submit(*, filing) -> list[str]: reasons, in the applicant's words, that keep the
  filing from being submitted ([] to go ahead).
- on_approved(*, filing, by, decision) -> None: record the result. It runs inside the
  approval's transaction; a ValidationError rolls the approval back and its messages are
  for the person approving.
- check_decision(*, filing) -> list[str] (optional): reasons, for the person deciding, why
  the filing must be refused (rules such as "penalised in the two years before"); shown on
  the decision page and enforced at approval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class KindHooks:
    check_submit: Callable[..., list[str]] | None = None
    on_approved: Callable[..., None] | None = None
    check_decision: Callable[..., list[str]] | None = None


_hooks: dict[str, KindHooks] = {}


def register_kind(kind: str, *, check_submit=None, on_approved=None, check_decision=None) -> None:
    _hooks[str(kind)] = KindHooks(check_submit, on_approved, check_decision)


def hooks_for(kind: str) -> KindHooks:
    return _hooks.get(str(kind), KindHooks())
