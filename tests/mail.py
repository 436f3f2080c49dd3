"""E-mails leave through the outbox (ijinus_privacy.outbox): tests run it as the worker would."""

from __future__ import annotations


def deliver() -> dict[str, int]:
    """Send every queued e-mail that is due, here and now; return how many ended in each state."""
    from ijinus_privacy.outbox import outbox_send_due

    return outbox_send_due()


def letter_pdf(letter) -> bytes:
    """The letter's PDF, decrypted (the file at rest is encrypted)."""
    from ijinus_privacy import storage

    return storage.read(letter.pdf.name)
