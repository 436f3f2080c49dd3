"""The DPO contact shown to data subjects: one source, the register's controller record (Art. 37(7)).

Letters, access exports, e-mails and public pages all read it from here, so the address a person
is given is the one the DPO set in the admin. Before the register exists (a fresh database without
the seed), ``settings.DPO_EMAIL`` stands in for the e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from .models import Controller


@dataclass(frozen=True)
class DpoContact:
    controller: str
    name: str
    email: str
    postal_address: str
    phone: str

    @property
    def postal_lines(self) -> list[str]:
        return [line.strip() for line in self.postal_address.replace(";", "\n").splitlines() if line.strip()]


def dpo_contact() -> DpoContact:
    controller = Controller.current()
    if controller is None:
        return DpoContact(controller="IJINUS SAS", name="", email=settings.DPO_EMAIL, postal_address="", phone="")
    return DpoContact(
        controller=controller.name,
        name=controller.dpo_name,
        email=controller.dpo_email or settings.DPO_EMAIL,
        postal_address=controller.dpo_postal_address or controller.address,
        phone=controller.dpo_phone,
    )
