"""The activities part of the demo: two years of organizational life at the Donghu Institute.

From January 2025 to December 2026 the research office, international exchange and general
office branches, their Party groups and the general branch above two of them hold their
meetings, lectures, theme days and study sessions. The record is realistic, and so it is not
perfect: the exchange branch missed its theme day in September 2026 (it was hosting a forum) and
has not held its fourth-quarter general meeting yet; the general office has not held its November
committee meeting; one summer general meeting fell short of quorum; a general branch, whose
members sit in its branches, meets most cadences only through joint activities. The research
office branch holds a joint activity (联学共建) with the brother unit's branch and the Youth
League.

Everything before now is held: attendance is marked, minutes are written, and most records are
submitted by the recorder and approved by the host; the last few are still in draft or awaiting
approval; one locked record is amended. Everything after now is planned, and the research office
has its 2027 year plan. All writes go through activities.services, as the app itself makes them.

The records keep the rules: who is expected and who votes follow each person's status on the
day (from the dated history in core/demo/institution.yaml), the person a resolution is about does
not vote on it, whoever the minutes name as speaking was present, everyone present speaks at the
organizational life meeting, and committee decisions are in the resolutions table. One record is
wrong on purpose (demo/flawed_example.yaml), awaiting approval, to show the consistency checks.

Loading is idempotent: when the demo's activities are there already, nothing is added. The text
is data, in the YAML files of demo/ beside this module, written for this demo; names and places
are fictional. This module keeps the logic: the schedule, attendance, the minutes' wording.
"""

from branchwork.activities.demo.data import (
    DEMO_ORGS,
    GENERAL_MEETINGS,
    HOST_SUMMARIES,
    PLAN_YEAR,
    REFLECTIONS,
    STUDY,
)
from branchwork.activities.demo.load import already_loaded, load_demo
from branchwork.activities.demo.minutes import _election_report
from branchwork.activities.demo.schedule import build_schedule, flawed_example_plan

__all__ = [
    "DEMO_ORGS", "GENERAL_MEETINGS", "HOST_SUMMARIES", "PLAN_YEAR", "REFLECTIONS", "STUDY",
    "_election_report", "already_loaded", "build_schedule", "flawed_example_plan", "load_demo",
]
