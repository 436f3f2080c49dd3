"""Signals other apps receive when a subject's data changes in a way recipients must hear of.

``subject_data_changed`` is sent inside the writing transaction (so a receiver's rows commit or
roll back with the change), with keyword arguments:

* ``subject_id`` (int), ``request_id`` (int | None), ``actor_id`` (int | None);
* ``change_kind``: one of ``CHANGE_KINDS`` ("rectification", "restriction", "erasure").

requests_dsar connects a receiver that creates one Art. 19 notification task per recipient
(R1.12; ``notifications_create_for``). Ids only: never values.
"""

from __future__ import annotations

from django.dispatch import Signal

from ijinus_privacy import actors

CHANGE_KINDS = ("rectification", "restriction", "erasure")

subject_data_changed = Signal()


def send_subject_data_changed(*, subject_id: int, change_kind: str, request_id: int | None, actor) -> None:
    if change_kind not in CHANGE_KINDS:
        raise ValueError(f"unknown change kind {change_kind!r}")
    staff = actors.staff_or_none(actor)
    actor_id = staff.pk if staff is not None else None
    subject_data_changed.send(
        sender="subjects",
        subject_id=subject_id,
        change_kind=change_kind,
        request_id=request_id,
        actor_id=actor_id,
    )
