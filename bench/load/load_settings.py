"""The production settings with the trivial view mounted first (the load benchmark's floor)."""

from branchwork.settings import *  # noqa: F403

ROOT_URLCONF = "load_urls"
