"""The e-mailing tool connector: a Mailchimp-style audience API (Mailchimp Marketing API v3 shapes).

A member of an audience is addressed by the MD5 hash of the lower-cased e-mail address, as
Mailchimp does (``/lists/{list_id}/members/{subscriber_hash}``). The connector authenticates with
HTTP Basic (any user name, the API key as password) and sends the task's ``Idempotency-Key``
(ignored by Mailchimp, honoured by tools that support it; every call below is idempotent anyway).

* collect: ``GET`` the member (404: the tool holds nothing about the person);
* suppress (unsubscription, objection to direct marketing): ``PATCH`` ``{"status": "unsubscribed"}``;
* restrict: ``DELETE`` the member, which *archives* it in Mailchimp (kept, never mailed);
* erase: ``POST .../actions/delete-permanent`` (204), which also keeps the address from being
  re-imported in Mailchimp; a member already gone (404) is done;
* rectify: ``PATCH`` the merge fields ``FNAME``/``LNAME``.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.utils.translation import gettext_lazy as _

from .contract import CollectedData, Connector, Outcome, PermanentError
from .http import call
from .models import ConnectedSystem, ConnectorTask

MEMBER_FIELDS = (
    "email_address",
    "status",
    "merge_fields",
    "language",
    "ip_signup",
    "timestamp_signup",
    "ip_opt",
    "timestamp_opt",
    "last_changed",
    "tags",
    "location",
)


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: the MD5 hash of the lower-cased address (an id, not a protection)."""
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


class EmailingConnector(Connector):
    kind = ConnectedSystem.Kind.EMAILING

    def _headers(self, task: ConnectorTask) -> dict[str, str]:
        token = base64.b64encode(f"ijinus:{self.system.credential()}".encode()).decode()
        return {"Authorization": f"Basic {token}", "Idempotency-Key": str(task.idempotency_key)}

    def _member_url(self, task: ConnectorTask) -> tuple[str, str]:
        email = task.lookup().get("email", "")
        if not email:
            raise PermanentError("no e-mail address: the e-mailing tool finds members by address only")
        if not self.system.audience_id:
            raise PermanentError("no audience id is set for this system")
        member = subscriber_hash(email)
        base = self.system.base_url.rstrip("/")
        return f"{base}/lists/{self.system.audience_id}/members/{member}", f"{self.system.audience_id}/{member}"

    def _call(self, task: ConnectorTask, method: str, url: str, body: dict[str, Any] | None = None):
        return call(
            method,
            url,
            headers=self._headers(task),
            body=body,
            timeout=self.system.timeout_seconds,
            accept=(404,),
        )

    def collect(self, task: ConnectorTask) -> CollectedData:
        url, _ref = self._member_url(task)
        answer = self._call(task, "GET", url)
        records = (
            [] if answer.status == 404 else [{key: answer.body.get(key) for key in MEMBER_FIELDS if key in answer.body}]
        )
        return CollectedData(
            source=f"emailing:{self.system.pk}",
            label=str(_("e-mailing tool")),
            categories=("contact", "promotion"),
            records=records,
            field_labels={"email_address": "e-mail", "status": "subscription status", "timestamp_opt": "opt-in time"},
        )

    def suppress(self, task: ConnectorTask) -> Outcome:
        url, ref = self._member_url(task)
        answer = self._call(task, "PATCH", url, {"status": "unsubscribed"})
        if answer.status == 404:
            return Outcome.done(f"{ref} (not a member)")
        if answer.body.get("status") != "unsubscribed":
            raise PermanentError("the member is not unsubscribed after the change")
        return Outcome.done(str(answer.body.get("id") or ref))

    def restrict(self, task: ConnectorTask) -> Outcome:
        url, ref = self._member_url(task)
        answer = self._call(task, "DELETE", url)
        return Outcome.done(f"{ref} (not a member)" if answer.status == 404 else f"{ref} (archived)")

    def erase(self, task: ConnectorTask) -> Outcome:
        url, ref = self._member_url(task)
        answer = self._call(task, "POST", f"{url}/actions/delete-permanent")
        return Outcome.done(f"{ref} (not a member)" if answer.status == 404 else f"{ref} (deleted permanently)")

    def rectify(self, task: ConnectorTask) -> Outcome:
        url, ref = self._member_url(task)
        values = task.lookup().get("values", {})
        merge_fields = {"FNAME": values.get("first_names", ""), "LNAME": values.get("last_name", "")}
        answer = self._call(task, "PATCH", url, {"merge_fields": merge_fields})
        return Outcome.done(f"{ref} (not a member)" if answer.status == 404 else str(answer.body.get("id") or ref))
