from wagtail import hooks

from branchwork.core.hooks import LOAD_DEMO_HOOK


@hooks.register(LOAD_DEMO_HOOK)
def load_exchanges_demo(*, stdout) -> None:
    from branchwork.exchanges import demo

    demo.load_demo(stdout=stdout)
