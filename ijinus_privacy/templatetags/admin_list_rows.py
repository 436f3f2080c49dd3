"""``{% fast_result_list cl %}``: Django's ``{% result_list cl %}``, whose rows come from a plan made once
per page when the list allows it (``ijinus_privacy.admin_list_rows``); otherwise Django's own."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_list
from django.contrib.admin.templatetags.base import InclusionAdminNode

from ijinus_privacy.admin_list_rows import row_plan

register = template.Library()


def fast_result_list(cl):
    plan = row_plan(cl)
    if plan is None:
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],  # only list_editable has hidden fields, and it goes to Django
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": list(plan.rows()),
    }


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        "fast_result_list",
        parser,
        token,
        func=fast_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
