from wagtail import hooks

from branchwork.core.hooks import LOAD_DEMO_HOOK
from branchwork.publishing import demo


@hooks.register(LOAD_DEMO_HOOK)
def load_portal_demo(*, stdout) -> None:
    demo.load(stdout=stdout)
