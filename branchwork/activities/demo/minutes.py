"""The wording of a demo record's minutes, from the texts in the YAML files."""


from __future__ import annotations

import html
import random

from branchwork.activities.demo.data import (
    CRITICISM,
    FLAVOUR,
    GROUP_CLOSINGS,
    HOST_SUMMARIES,
    REFLECTIONS,
    SELF_CRITICISM,
    General,
    Lecture,
    Plan,
    Study,
)
from branchwork.activities.demo.schedule import _pick
from branchwork.activities.models import (
    PRESENT_STATES,
    Activity,
    AttendanceRole,
    AttendanceStatus,
)
from branchwork.core.models import Person

# --- Writing a record ---


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _names(people) -> str:
    return "、".join(p.name for p in people)


def _attendance_line(rows, *, guests: str = "列席") -> str:
    expected = [r for r in rows if r.role == AttendanceRole.EXPECTED]
    present = [r for r in expected if r.status in PRESENT_STATES]
    away = [r for r in expected if r.status not in PRESENT_STATES]
    line = f"应到{len(expected)}人，实到{len(present)}人"
    if away:
        line += "；" + "、".join(f"{r.person.name}（{r.reason or '缺席'}）" for r in away) + "未到会"
    late = [r for r in expected if r.status == AttendanceStatus.LATE]
    if late:
        line += f"；{_names(r.person for r in late)}迟到"
    observers = [r.person for r in rows if r.role == AttendanceRole.OBSERVER and r.person_id]
    if observers:
        line += f"。{_names(observers)}{guests}"
    return line + "。"


def _speakers(rng, rows, exclude, n) -> list[Person]:
    pool = [r.person for r in rows
            if r.role == AttendanceRole.EXPECTED and r.status in PRESENT_STATES
            and r.person_id not in exclude]
    return _pick(rng, pool, n)


def _reflections(rng, rows, exclude, n, *, first: dict | None = None) -> tuple[list, list[str]]:
    """Up to `n` members who spoke, each with a line from their own branch's point of view
    (`first`: the month's point, by flavour, for the first speaker)."""
    pool = [r for r in rows
            if r.role == AttendanceRole.EXPECTED and r.status in PRESENT_STATES
            and r.person_id not in exclude and r.organization.code in FLAVOUR
            and r.organization.code != "yjjl-gb"]
    speakers, lines, said = [], [], set()
    for row in _pick(rng, pool, n):
        flavour = FLAVOUR[row.organization.code]
        line = (first or {}).get(flavour) if not lines else None
        line = line or rng.choice([x for x in REFLECTIONS[flavour] if x not in said])
        said.add(line)
        speakers.append(row.person)
        lines.append(line)
    return speakers, lines


def _said(lead: str, speakers, lines, verb: str) -> str:
    return _p(lead + "；".join(f"{s.name}{verb}，{line}" for s, line in zip(speakers, lines)) + "。")


def _bullets(speakers, lines) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(s.name)}：{html.escape(line)}。</li>"
                            for s, line in zip(speakers, lines) if line) + "</ul>"


# What each kind of activity is called in the opening sentence, and the verb that goes with it.
OPENINGS = {
    "committee": ("召开", "支部委员会会议"), "general": ("召开", "支部党员大会"),
    "group": ("召开", "党小组会"), "org_life": ("召开", "组织生活会"),
    "study": ("开展", "集体学习"), "theme": ("开展", "主题党日活动"),
    "joint": ("开展", "联学共建活动"), "lecture": ("举办", "专题党课"),
    "flawed": ("召开", "党小组会"),
    "talks": ("开展", "组织生活会前谈心谈话"), "report": ("召开", "支部书记抓基层党建工作述职会"),
}


def _write_minutes(plan: Plan, activity: Activity, people: dict,
                   rng: random.Random) -> tuple[str, list]:
    """The minutes (HTML) and resolutions of a held activity, from what happened at it."""
    rows = list(activity.attendance.select_related("person", "organization"))
    host, recorder = people[plan.host], people[plan.recorder]
    verb, what = OPENINGS[plan.kind]
    if plan.org == "yjjl-gb" and plan.kind in ("committee", "general"):
        what = "总支委员会会议" if plan.kind == "committee" else "党总支党员大会"
    elif plan.kind == "study" and "theme_day" in plan.types:
        what = "主题党日活动暨集体学习"
    elif plan.kind == "org_life":
        what = f"{plan.day.year - 1}年度组织生活会"
    when = f"{plan.day.month}月{plan.day.day}日{'上午' if plan.starts.hour < 12 else '下午'}"
    opening = (f"{when}，{activity.organization.name_zh}在{plan.place}{verb}{what}，"
               f"{host.name}主持，{recorder.name}记录。")
    head = _attendance_line(rows, guests="参加" if plan.kind == "joint" else "列席")
    parts: list[str] = [_p(opening + head)]
    resolutions: list[dict] = []
    skip = {host.pk, recorder.pk}

    if plan.kind == "committee":
        decisions = []
        for i, (focus, body, decision) in enumerate(plan.data["items"]):
            parts.append(_p(f"{'一二三四五六'[i]}、{focus}。{body}"))
            decisions.append(decision)
        parts.append("<p>会议议定：</p><ol>" + "".join(f"<li>{html.escape(d)}。</li>" for d in decisions)
                     + "</ol>")
        # What the meeting decided is carried into the resolutions table.
        resolutions.extend({"text": d} for d in decisions)
    elif plan.kind == "study":
        study: Study = plan.data["study"]
        parts.append(_p(f"{host.name}领学了{study.material}，围绕“{study.points[0]}”和"
                        f"“{study.points[1]}”两个方面作了重点解读。"))
        speakers, said = _reflections(rng, rows, skip, 3, first=study.views)
        parts.append("<p>交流研讨中：</p>" + _bullets(speakers, said))
        parts.append(_p(rng.choice(HOST_SUMMARIES).format(host=host.name)))
    elif plan.kind in ("theme", "joint"):
        parts.append(_p(plan.data["spec"].body))
        speakers, said = _reflections(rng, rows, skip, 2)
        if speakers:
            parts.append(_said("交流中，", speakers, said, "谈到"))
        parts.append(_p(rng.choice(HOST_SUMMARIES).format(host=host.name)))
    elif plan.kind == "talks":
        talked = [r for r in rows if r.status in PRESENT_STATES and r.person_id != host.pk]
        parts.append(_p(f"支部委员会成员之间、支委与党员之间逐一开展谈心谈话，{host.name}与"
                        f"{len(talked)}名党员逐一谈话，听取对支部班子和支委个人的意见建议，"
                        "谈心得失、谈工作打算，相互提醒存在的问题。"))
        parts.append(_p(f"共征集意见建议{3 + len(talked) // 3}条，已梳理汇总，"
                        f"作为{plan.covers_year}年度组织生活会对照检查的重要参考。"))
    elif plan.kind == "report":
        parts.append(_p(f"{host.name}代表支部委员会述职，从落实全面从严治党责任、加强理论武装、"
                        f"规范组织生活、推动党建与业务融合四个方面报告了{plan.covers_year}年度"
                        "抓基层党建工作情况，查摆了存在的不足，提出了改进措施。"))
        speakers, said = _reflections(rng, rows, skip, 2)
        if speakers:
            parts.append(_said("评议中，", speakers, said, "提出"))
        parts.append(_p("与会党员对支部书记抓党建工作情况进行了测评。"))
    elif plan.kind == "lecture":
        spec: Lecture = plan.data["spec"]
        lecturer = spec.lecturer if spec.guest else people[spec.lecturer].name
        parts.append(_p(f"{lecturer}以《{spec.title}》为题讲授专题党课。党课分三个部分：一是"
                        f"{spec.outline[0]}；二是{spec.outline[1]}；三是{spec.outline[2]}。"))
        speakers, said = _reflections(
            rng, rows, skip if spec.guest else skip | {people[spec.lecturer].pk}, 2)
        if speakers:
            parts.append(_said("听课后，", speakers, said, "表示"))
        parts.append(_p(f"{host.name}要求大家把党课内容与本职工作结合起来，请假的同志按要求补学。"))
    elif plan.kind == "general":
        spec: General = plan.data["spec"]
        voting = [r for r in rows if r.role == AttendanceRole.EXPECTED and r.voting]
        voting_present = [r for r in voting if r.status in PRESENT_STATES]
        parts.append(_p(f"应到有表决权的党员{len(voting)}名，实到{len(voting_present)}名，"
                        + ("未超过半数。" if spec.without_quorum else "超过半数，会议有效。")))
        parts.append(_p(spec.body))
        if spec.election and not spec.without_quorum:
            parts.append(_p(_election_report(spec.election, people, len(voting),
                                             len(voting_present))))
        unit = "票" if spec.ballot == "无记名投票" else "人"
        for text, against, abstain, about in () if spec.without_quorum else spec.resolutions:
            if against is None:  # an election's result: its votes are the candidates'
                resolutions.append({"text": text})
                parts.append(_p(f"会议{text}。"))
                continue
            subject = people[about] if about else None
            row = next((r for r in rows if subject and r.person_id == subject.pk), None)
            # The person a matter is about does not vote on it; a candidate (not yet a member)
            # attends without a vote, a probationary member has none.
            voters = len(voting_present) - (row in voting_present)
            note = ""
            if subject is not None:
                if row is None or row.role != AttendanceRole.EXPECTED:
                    note = f"{subject.name}同志列席会议，不参加表决。"
                elif not row.voting:
                    note = f"{subject.name}同志是预备党员，没有表决权，不参加表决。"
                else:
                    note = f"{subject.name}同志本人回避表决。"
            votes_for = voters - against - abstain
            resolution = {"text": text, "votes_for": votes_for, "votes_against": against,
                          "votes_abstain": abstain}
            if subject is not None:
                resolution["subject_person"] = subject
            resolutions.append(resolution)
            parts.append(_p(f"{note}经{spec.ballot}，{votes_for}{unit}赞成，{against}{unit}反对，"
                            f"{abstain}{unit}弃权，会议{text}。"))
    elif plan.kind == "flawed":
        # Written as the flawed example says, whoever was away: the checks must refuse it.
        example = plan.data["example"]
        parts.append(_p(example["intro"]))
        parts.append("<p>发言摘要：</p>" + _bullets([people[s["person"]] for s in example["speakers"]],
                                                  [s["line"] for s in example["speakers"]]))
        parts.append(f"<p>会议议定：</p><ol><li>{html.escape(example['decision'])}。</li></ol>")
    elif plan.kind == "group":
        topic, intro, lines = plan.data["topic"]
        parts.append(_p(intro))
        speakers = _speakers(rng, rows, skip, 3)
        parts.append("<p>发言摘要：</p>" + _bullets(speakers, lines))
        parts.append(_p(rng.choice(GROUP_CLOSINGS).format(host=host.name)))
    elif plan.kind == "org_life":
        parts.append(_p(f"会前，支部围绕会议主题开展了集中学习，广泛征求了意见建议，支委之间、"
                        f"支委与党员之间普遍开展了谈心谈话。{host.name}代表支部委员会作对照检查，"
                        f"查摆了理论学习不够系统、联系群众不够经常等问题，提出了整改措施。"))
        present = [r for r in rows
                   if r.role == AttendanceRole.EXPECTED and r.status in PRESENT_STATES]
        # Everyone present speaks: a self-criticism, and a criticism of the next one.
        order = [r.person for r in present]
        rng.shuffle(order)
        selves = _lines(rng, SELF_CRITICISM, len(order))
        crits = _lines(rng, CRITICISM, len(order))
        remarks = [f"{person.name}作自我批评：{selves[i]}。"
                   f"{order[(i + 1) % len(order)].name}对其提出批评意见：{crits[i]}。"
                   for i, person in enumerate(order)]
        parts.append("<p>党员逐一作自我批评，相互开展批评（发言摘要）：</p><ul>"
                     + "".join(f"<li>{html.escape(r)}</li>" for r in remarks) + "</ul>")
        observers = [r.person for r in rows if r.role == AttendanceRole.OBSERVER and r.person_id]
        if observers:
            parts.append(_p(f"{_names(observers)}代表机关党委对会议作点评，认为会前准备充分，"
                            f"批评和自我批评开得认真，要求支部抓好问题整改。"))
        full = [r for r in present if r.voting]
        probationary = [r.person for r in present if not r.voting]
        away = [r for r in rows
                if r.role == AttendanceRole.EXPECTED and r.status not in PRESENT_STATES]
        good = max(1, len(full) // 5)
        text = (f"会议开展了民主评议党员，经个人自评、党员互评和民主测评，到会的{len(full)}名正式党员中"
                f"评定优秀{good}名、合格{len(full) - good}名。")
        if probationary:
            text += f"预备党员{_names(probationary)}参加评议，不评定等次。"
        if away:
            text += ("、".join(f"{r.person.name}（{r.reason or '缺席'}）" for r in away)
                     + "未到会，会后由支部书记与其谈心谈话、本人提交书面对照检查材料后另行评议。")
        parts.append(_p(text))
        later = f"；{_names(r.person for r in away)}另行评议" if away else ""
        resolutions.append({"text": f"民主评议结果：优秀{good}名，合格{len(full) - good}名{later}，"
                                    "报机关党委备案"})
    return "".join(parts), resolutions


def _lines(rng: random.Random, pool: list[str], n: int) -> list[str]:
    """`n` lines from `pool`, none repeated before all have been used."""
    lines: list[str] = []
    while len(lines) < n:
        lines += rng.sample(pool, min(n - len(lines), len(pool)))
    return lines


def _election_report(election: dict, people: dict, expected: int, present: int) -> str:
    """The count of a committee election (差额选举) from the ballots of those present."""
    seats, candidates = election["seats"], election["candidates"]
    votes = [(people[c["person"]], present - c["short"]) for c in candidates]
    ranked = sorted(votes, key=lambda pv: -pv[1])
    elected = ranked[:seats]
    if (5 * len(candidates) < 6 * seats or sum(v for _, v in votes) > seats * present
            or min(v for _, v in votes) < 0 or 5 * present < 4 * expected
            or any(2 * v <= present for _, v in elected)):
        raise ValueError("The demo's election does not add up: check general_meetings.yaml.")
    return (f"本次选举实行差额选举，应选委员{seats}名，候选人{len(candidates)}名。应到有选举权的党员"
            f"{expected}名，实到{present}名，超过应到人数的五分之四，选举有效。共发出选票{present}张，"
            f"收回{present}张，均为有效票。计票结果："
            + "、".join(f"{p.name}{v}票" for p, v in ranked) + "。"
            + _names(p for p, _ in elected)
            + "得票超过实到会有选举权党员的半数，当选为新一届支部委员会委员。")


