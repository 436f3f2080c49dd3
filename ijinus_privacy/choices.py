"""The enumerations every app shares, defined once (a new app imports them from here)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """The languages IJINUS answers in: a person's language, a request's, a notice's, a letter's."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class ContactChannel(models.TextChoices):
    """How a message reached IJINUS: a request (R1.1.1: any channel counts) or a support ticket."""

    EMAIL = "email", _("E-mail (any company address)")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    WEB_FORM = "web_form", _("Web form")
    IN_PERSON = "in_person", _("In person")
    PLATFORM_TICKET = "platform_ticket", _("Platform support ticket")


# Said aloud: the request file keeps a written summary of what was asked (R1.1.3).
ORAL_CHANNELS = frozenset({ContactChannel.PHONE, ContactChannel.IN_PERSON})


class Channel(models.TextChoices):
    """What a consent, a withdrawal, an objection or a suppression is about: one per purpose and channel (R2.1.6)."""

    NEWSLETTER_EMAIL = "newsletter_email", _("Newsletter by e-mail")
    QUOTATION_REQUEST = "quotation_request", _("Quotation request (Art. 6(1)(b): basis to confirm by the DPO)")
    MARKETING_PUSH = "marketing_push", _("Marketing push notifications")
    SERVICE_PUSH = "service_push", _("Service push notifications (sensor alerts)")
    PHONE_MARKETING = "phone_marketing", _("Phone marketing")
    PARTNER_SHARING = (
        "partner_sharing",
        _("Sharing with partners for their prospecting (CNIL, commercial management framework)"),
    )
    COOKIES_AUDIENCE = "cookies_audience", _("Cookies: audience measurement")
    COOKIES_ADVERTISING = "cookies_advertising", _("Cookies: advertising")
    COOKIES_SOCIAL = "cookies_social", _("Cookies: social networks")
    COOKIES_PERSONALISATION = "cookies_personalisation", _("Cookies: personalisation")
    GEOLOCATION = "geolocation", _("Geolocation (mobile app)")


MARKETING_CHANNELS = (
    Channel.NEWSLETTER_EMAIL,
    Channel.MARKETING_PUSH,
    Channel.PHONE_MARKETING,
    Channel.PARTNER_SHARING,
)
COOKIE_CHANNELS = (
    Channel.COOKIES_AUDIENCE,
    Channel.COOKIES_ADVERTISING,
    Channel.COOKIES_SOCIAL,
    Channel.COOKIES_PERSONALISATION,
)
# Suppression entries and objections valid for every channel (an objection to all direct marketing, a death).
ALL_CHANNELS = "all"
