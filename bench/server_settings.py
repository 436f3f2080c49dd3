"""Settings of the benchmark's web server: the project's, on the benchmark's throwaway database.

DEBUG off (no query log), no second factor for the benchmark's superuser (a session made for it),
and the stock admin beside ours (``bench.urls``). ``BENCH_DATABASE_CONFIG`` is the database
(``DATABASES["default"]`` as JSON), set by ``bench.bench_admin`` for the server it starts.
"""

import json
import os

from ijinus_privacy.settings import *  # noqa: F403

DEBUG = False
ADMIN_REQUIRE_2FA = False
ROOT_URLCONF = "bench.urls"
DATABASES = {"default": json.loads(os.environ["BENCH_DATABASE_CONFIG"])}
