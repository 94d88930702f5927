from wagtail import hooks

from branchwork.core.hooks import LOAD_DEMO_HOOK


@hooks.register(LOAD_DEMO_HOOK)
def load_research_demo(*, stdout) -> None:
    from branchwork.research import demo

    demo.load_demo(stdout=stdout)
