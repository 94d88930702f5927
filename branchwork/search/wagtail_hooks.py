from wagtail import hooks

from branchwork.core.hooks import BULK_LOAD_HOOK
from branchwork.search import signals


@hooks.register(BULK_LOAD_HOOK)
def index_once_after_bulk_load():
    """During `load_demo`: no index task per saved object; one batched indexing at the end."""
    return signals.deferred()
