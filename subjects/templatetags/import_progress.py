"""``{% import_progress job as progress %}``: the background import's progress for its admin page."""

from django import template

from subjects.import_jobs import Progress, progress_of
from subjects.models import ImportJob

register = template.Library()


@register.simple_tag
def import_progress(job: ImportJob | None) -> Progress | None:
    return progress_of(job) if isinstance(job, ImportJob) else None
