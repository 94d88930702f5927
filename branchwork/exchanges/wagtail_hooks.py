from wagtail import hooks

from branchwork.core.hooks import ACTIVITY_PANELS, LOAD_DEMO_HOOK


@hooks.register(LOAD_DEMO_HOOK)
def load_exchanges_demo(*, stdout) -> None:
    from branchwork.exchanges import demo

    demo.load_demo(stdout=stdout)


@hooks.register(ACTIVITY_PANELS)
def exchange_events_on_activity(request, activity):
    from branchwork.exchanges import panels

    return panels.activity_panel(request, activity)


@hooks.register(LOAD_DEMO_HOOK)
def load_trips_demo(*, stdout) -> None:
    from branchwork.exchanges import demo_trips

    demo_trips.load_demo(stdout=stdout)


@hooks.register(LOAD_DEMO_HOOK)
def load_forum_programme_demo(*, stdout) -> None:
    from branchwork.exchanges import demo_programme

    demo_programme.load_demo(stdout=stdout)
