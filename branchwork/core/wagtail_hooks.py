# Importing registers core's hooks with Wagtail (Wagtail imports every app's wagtail_hooks).
from branchwork.core import hooks  # noqa: F401
