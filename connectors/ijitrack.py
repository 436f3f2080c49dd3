"""The ijitrack platform connector: IJINUS's own privacy contract, implemented by the platform team.

The contract (docs/connectors.md, "ijitrack platform") in one paragraph: every action is a
``POST {base_url}/subjects/<action>`` with ``Authorization: Bearer <token>``, ``Idempotency-Key``
(the task's key, the same on every retry) and a JSON body naming the person (``subject``:
``reference``, ``email``, ``phone``; ``values`` for a rectification). The platform answers 200 with
``{"status": "done" | "not_found", "reference": "..."}`` once the action is durable (``collect``
adds ``records``); 4xx means it will not (``error`` gives a machine word), 5xx/429 try again.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .contract import CollectedData, Connector, Outcome, PermanentError
from .http import call
from .models import ConnectedSystem, ConnectorTask

DONE_STATUSES = ("done", "not_found")


class IjitrackConnector(Connector):
    kind = ConnectedSystem.Kind.IJITRACK

    def _headers(self, task: ConnectorTask) -> dict[str, str]:
        headers = {"Idempotency-Key": str(task.idempotency_key), "X-Ijinus-Task": str(task.pk)}
        credential = self.system.credential()
        if credential:
            headers["Authorization"] = f"Bearer {credential}"
        return headers

    def _body(self, task: ConnectorTask) -> dict[str, Any]:
        lookup = task.lookup()
        if not lookup.get("email") and not lookup.get("phone"):
            raise PermanentError("no e-mail or phone to find the person with")
        body: dict[str, Any] = {
            "subject": {
                "reference": f"ijinus-subject-{task.subject_ref}",
                "email": lookup.get("email", ""),
                "phone": lookup.get("phone", ""),
            },
            "request": f"ijinus-request-{task.request_id}" if task.request_id else None,
        }
        if task.action == "rectify":
            body["values"] = lookup.get("values", {})
        return body

    def _post(self, task: ConnectorTask) -> dict[str, Any]:
        url = f"{self.system.base_url.rstrip('/')}/subjects/{task.action}"
        answer = call(
            "POST", url, headers=self._headers(task), body=self._body(task), timeout=self.system.timeout_seconds
        )
        status = answer.body.get("status")
        if status not in DONE_STATUSES:
            raise PermanentError(f"unexpected answer status {str(status)[:20]!r} (contract: done or not_found)")
        return answer.body

    def _change(self, task: ConnectorTask) -> Outcome:
        body = self._post(task)
        return Outcome.done(str(body.get("reference", ""))[:200], found=body.get("status") == "done")

    erase = anonymise = restrict = rectify = _change

    def collect(self, task: ConnectorTask) -> CollectedData:
        body = self._post(task)
        records = body.get("records") or []
        if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
            raise PermanentError("collect: records must be a list of objects")
        labels = body.get("field_labels") or {}
        return CollectedData(
            source=f"ijitrack:{self.system.pk}",
            label=str(_("ijitrack platform")),
            categories=tuple(str(code) for code in body.get("categories") or ()),
            records=records,
            field_labels={str(key): str(value) for key, value in labels.items()} if isinstance(labels, dict) else {},
        )
