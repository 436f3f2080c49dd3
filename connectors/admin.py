from . import admin_systems  # noqa: F401  (connected systems and their tasks)
