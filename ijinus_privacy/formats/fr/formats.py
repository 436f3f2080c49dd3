"""French dates across the admin, letters and exports: 16/08/2026 (short), 16 août 2026 (long).

Anything not set here falls back to Django's own French formats (FORMAT_MODULE_PATH).
"""

DATE_FORMAT = "j F Y"  # 16 août 2026
DATETIME_FORMAT = "j F Y H:i"  # 16 août 2026 14:38
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d/m/Y"  # 16/08/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
# The first one is what the admin's date inputs show and what its "Today" link writes.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 16/08/2026
    "%d/%m/%y",  # 16/08/26
    "%Y-%m-%d",  # 2026-08-16
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
