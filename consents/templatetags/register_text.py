"""The ``public`` filter: register text as the CNIL reads it, without the team's internal references."""

from django import template

from consents.public_text import without_internal_references

register = template.Library()


@register.filter
def public(value) -> str:
    return without_internal_references("" if value is None else str(value))
