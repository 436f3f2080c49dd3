"""Who acts: a staff user, or a job of the system that names itself. One rule for every service.

Every service takes ``actor=``. It is one of:

* a staff **user**: permission-checked services require the permission (``require``), and the
  audit trail, the request timeline and the letters keep the user's id and username;
* a **system** actor, ``actors.system("reapply-erasures")``: a beat task, a worker, a management
  command, the public form or a signed link acting for the person. It is allowed what its code
  does (the person who started it, if any, was checked where they started it) and is written in
  the audit trail and timelines under its own name (``system:reapply-erasures``), so nothing is
  ever recorded as done by nobody.

A decision only a person takes (approving an erasure) asks ``require(..., person=True)``, which
refuses system actors too. ``None`` means nobody said who acts: audited writes still record it as anonymous, but a
permission-checked service refuses it (``require``). Foreign keys to the acting user are made with
``user_fk`` and filled with ``staff_or_none(actor)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

SYSTEM_PREFIX = "system:"


@dataclass(frozen=True)
class System:
    """A job acting without a user; ``name`` says which (``"reapply-erasures"``, ``"public-form"``)."""

    name: str
    pk = None
    is_authenticated = False
    is_active = True

    def get_username(self) -> str:
        return f"{SYSTEM_PREFIX}{self.name}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def __str__(self) -> str:
        return self.get_username()


def system(name: str) -> System:
    if not name or name != name.strip():
        raise ValueError("A system actor needs a name.")
    return System(name)


def is_system(actor: Any) -> bool:
    return isinstance(actor, System)


def staff_or_none(actor: Any) -> Any:
    """The acting staff user, or None for a system job or an anonymous visitor (for foreign keys)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def username(actor: Any) -> str:
    """What the records keep as "who": the user's username, ``system:<name>`` for a job, "" for nobody."""
    if is_system(actor) or staff_or_none(actor) is not None:
        return actor.get_username()
    return ""


def require(actor: Any, perm: str, message: str | None = None, *, person: bool = False) -> None:
    """Refuse unless ``actor`` is a system job or a user holding ``perm`` (``app_label.codename``).

    ``person=True`` for a decision only a person takes (approving an erasure): a system job is refused too.
    """
    if is_system(actor) and not person:
        return
    if is_system(actor) or (actor is not None and staff_or_none(actor) is None):
        raise PermissionDenied(message or _("Only a signed-in member of staff may do this."))
    if actor is None:
        raise PermissionDenied(_("Nobody is named as acting: a job passes actors.system(<its name>)."))
    if not actor.has_perm(perm):
        raise PermissionDenied(message or _("You do not have the permission to do this (%(perm)s).") % {"perm": perm})


def user_fk(verbose_name: Any, **options: Any) -> models.ForeignKey:
    """A foreign key to the acting user, kept when the user is removed (the username is kept beside it)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **options,
    )
