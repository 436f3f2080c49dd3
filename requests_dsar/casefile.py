"""The request's page as a case file: the one next step for its state, and what to do first when a
step is refused.

Read-only: nothing here writes. The admin shows ``next_step`` as the primary button on top of the
request's page and ``first_step`` above an action page (and on a refusal) so the next step is
offered, not discovered. A constant number of queries, whatever the size of the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import searches
from .exports import services as export_services
from .models import ErasureRecord, ExportJob, IdentityCheck, Request, Right, State

# The action page that closes a pending identity check, by method. The one-time link is followed by
# the person: nothing for staff to do but wait (or close the request, R1.4.3).
CHECK_STEPS = {
    IdentityCheck.Method.PHONE_CALLBACK: ("identity-callback", _("Record the callback")),
    IdentityCheck.Method.DOCUMENT: ("identity-document", _("Record the document checked")),
}


SOURCES_STEP_TITLE = _("Record the data sources searched")
SOURCES_STEP_HINT = _(
    "Every system of the register of processing is searched before the access answer (Art. 15): "
    "record what each one holds."
)


def _sources_step(dsar: Request) -> Step | None:
    """The systems of the register still to search before an access answer (R1.7.1)."""
    if not dsar.items.filter(right=Right.ACCESS).exists() or not searches.sources_remaining(dsar):
        return None
    return Step("sources", SOURCES_STEP_TITLE, SOURCES_STEP_HINT)


@dataclass(frozen=True)
class Step:
    """A step of the workflow: ``action`` is the slug of its action page ("erasure-plan" for the
    erasure plan), empty when the step is waiting for someone else; ``hint`` says why."""

    action: str
    title: str
    hint: str = ""


def person_label(dsar: Request) -> str:
    """Who the request is about, as staff call them: name and e-mail of the person linked, or the
    requester's own details while no person is linked."""
    name, email = person_name(dsar), person_email(dsar)
    return f"{name} <{email}>" if email and name != email else name


def _pending_check(checks: list[IdentityCheck]) -> IdentityCheck | None:
    return next((check for check in reversed(checks) if check.status == IdentityCheck.Status.PENDING), None)


def _waiting_step(checks: list[IdentityCheck]) -> Step:
    """While the clock is paused: close the pending identity check, or record the answer."""
    pending = _pending_check(checks)
    if pending is not None and pending.method in CHECK_STEPS:
        action, title = CHECK_STEPS[pending.method]
        return Step(action, title, _("The clock is paused until the identity is verified (Art. 12(6))."))
    if pending is not None and pending.method == IdentityCheck.Method.EMAIL_LINK:
        return Step(
            "",
            _("Waiting for the person to follow the one-time link"),
            _("The clock resumes when the link is followed; without an answer, close the request as unverified."),
        )
    return Step(
        "information-received",
        _("Information received"),
        _("Record the day the requester answered: the clock resumes."),
    )


def next_step(dsar: Request) -> Step | None:
    """The one step that moves this request on, for its state; ``None`` once it is closed."""
    if not dsar.is_open:
        return None
    checks = list(dsar.identity_checks.all())
    if dsar.state == State.RECEIVED:
        return Step(
            "identity",
            _("Verify identity"),
            _("Only on a reasonable doubt about who asks (Art. 12(6)); otherwise move the request to in progress."),
        )
    if dsar.state == State.AWAITING_INFO:
        return _waiting_step(checks)
    rights = {item.right for item in dsar.items.all()}
    if dsar.subject_id and export_services.kinds_for_request(dsar):
        jobs = list(ExportJob.objects.live().filter(request=dsar))
        if not jobs or any(job.status == ExportJob.Status.FAILED for job in jobs):
            return Step("exports", _("Build the exports"), _("The copy of the data (Art. 15) or the export (Art. 20)."))
        if any(job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING) for job in jobs):
            return Step("", _("Exports being built"), _("Their progress shows below and the page updates itself."))
        if any(job.approved_at is None for job in jobs):
            if Right.ACCESS in rights and searches.sources_remaining(dsar):
                return Step("sources", SOURCES_STEP_TITLE, SOURCES_STEP_HINT)
            return Step(
                "send-exports",
                _("Approve and send the exports"),
                _("Check the exports under Documents, then send the download link (Art. 15(3))."),
            )
        if any(job.sent_at is None for job in jobs):
            return Step("", _("Download link queued for e-mail"), _("Sent dates show under Documents."))
    if Right.ERASURE in rights and not ErasureRecord.objects.filter(request=dsar).exists():
        return Step("erasure-plan", _("Approve the erasure plan"), _("What is erased, what is kept and why (Art. 17)."))
    if dsar.state == State.AWAITING_DECISION:
        return Step("decide", _("Decide"), _("Grant, grant in part or refuse, with the reasons (Art. 12(4))."))
    return Step("decide", _("Close: record the decision"), _("Every right asked is carried out: answer and close."))


def first_step(dsar: Request, action: str) -> Step | None:
    """What must happen before ``action`` can succeed on this request, or ``None``."""
    checks = list(dsar.identity_checks.all()) if dsar.state == State.AWAITING_INFO else []
    if action in ("decide", "erasure-plan") and dsar.state == State.AWAITING_INFO:
        step = _waiting_step(checks)
        return Step(
            step.action, step.title, f"{_('The identity or the information asked is still awaited.')} {step.hint}"
        )
    if action == "erasure-plan" and dsar.state == State.RECEIVED:
        return Step(
            "identity",
            _("Verify identity first"),
            _(
                "An erasure is approved once any reasonable doubt about who asks is lifted (Art. 12(6)): verify "
                "the identity, or move the request to in progress when there is no doubt."
            ),
        )
    if action in ("exports", "erasure-plan") and not dsar.subject_id:
        return Step("", _("Link the person first"), _("Choose the data subject in the Requester section and save."))
    if action == "send-exports":
        jobs = list(ExportJob.objects.live().filter(request=dsar))
        if not jobs or all(job.status == ExportJob.Status.FAILED for job in jobs):
            return Step("exports", _("Build the exports first"), _("No export is built yet for this request."))
        if any(job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING) for job in jobs):
            return Step(
                "", _("Wait for the exports"), _("They are still being built: their progress shows under Documents.")
            )
        if any(job.kind in export_services.ACCESS_KINDS for job in jobs):
            step = _sources_step(dsar)
            if step is not None:
                return step
    if action == "transmit":  # Art. 20(2): only the approved portability export is transmitted
        job = ExportJob.objects.live().filter(request=dsar, kind=ExportJob.Kind.PORTABILITY).first()
        if job is None or job.status == ExportJob.Status.FAILED:
            return Step("exports", _("Build the portability export first"), _("No portability export is built yet."))
        if job.status != ExportJob.Status.DONE:
            return Step(
                "", _("Wait for the exports"), _("They are still being built: their progress shows under Documents.")
            )
        if job.approved_at is None:
            return Step(
                "send-exports",
                _("Approve the exports first"),
                _("The portability export is transmitted once the DPO has checked and approved it."),
            )
    if action in ("identity-callback", "identity-document"):
        method = IdentityCheck.Method.PHONE_CALLBACK if action == "identity-callback" else IdentityCheck.Method.DOCUMENT
        if not dsar.identity_checks.filter(method=method, status=IdentityCheck.Status.PENDING).exists():
            return Step("identity", _("Start the identity check first"), _("No check of this kind is waiting."))
    return None


def person_name(dsar: Request) -> str:
    """The person's name (first names, LAST NAME), or the requester's while no person is linked."""
    subject = dsar.subject if dsar.subject_id else None
    if subject is not None:
        return " ".join(part for part in (subject.first_names, subject.last_name.upper()) if part) or str(subject)
    return dsar.requester_name or dsar.requester_email or "—"


def person_email(dsar: Request) -> str:
    subject = dsar.subject if dsar.subject_id else None
    return (subject.email if subject is not None else dsar.requester_email) or ""


@dataclass(frozen=True)
class ExportProgress:
    """How far the request's exports are built: what the request's page shows and polls while a worker
    builds them. Formats and statuses only, never personal data (the poll's answer is JSON)."""

    live: bool  # an export is still waiting for a worker or being built
    done: int
    total: int
    jobs: tuple[tuple[str, str], ...]  # (format, status), in the order they were queued

    @property
    def label(self) -> str:
        return _("%(done)s of %(total)s exports built") % {"done": self.done, "total": self.total}

    def as_json(self) -> dict:
        return {
            "live": self.live,
            "done": self.done,
            "total": self.total,
            "label": str(self.label),
            "jobs": [{"kind": str(kind), "status": str(status)} for kind, status in self.jobs],
        }


def export_progress(dsar: Request) -> ExportProgress:
    """The progress of the request's exports whose file is kept (one query)."""
    jobs = list(ExportJob.objects.live().filter(request=dsar).order_by("pk"))
    building = (ExportJob.Status.PENDING, ExportJob.Status.RUNNING)
    return ExportProgress(
        live=any(job.status in building for job in jobs),
        done=sum(job.status == ExportJob.Status.DONE for job in jobs),
        total=len(jobs),
        jobs=tuple((job.get_kind_display(), job.progress_label) for job in jobs),
    )
