"""English dates across the admin, letters and exports: 16 Aug 2026 (long), 16/08/2026 (short).

Never the US order (08/16/2026) nor Django's "Sept." and "p.m.": the readers are in France and
in Europe. Anything not set here falls back to Django's own English formats (FORMAT_MODULE_PATH).
"""

DATE_FORMAT = "j M Y"  # 16 Aug 2026
DATETIME_FORMAT = "j M Y H:i"  # 16 Aug 2026 14:38
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d/m/Y"  # 16/08/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
# The first one is what the admin's date inputs show and what its "Today" link writes; no
# month-first format is accepted, so 08/09/2026 can only mean 8 September.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 16/08/2026
    "%Y-%m-%d",  # 2026-08-16
    "%d/%m/%y",  # 16/08/26
    "%d %b %Y",  # 16 Aug 2026
    "%d %B %Y",  # 16 August 2026
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",
    "%H:%M:%S.%f",
    "%H:%M",
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
]
