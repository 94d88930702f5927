"""The portal's part of the demo: a home page that says what the site is."""

from branchwork.publishing.models import HomePage

HOME_INTRO = (
    "<p>东湖研究院机关党委及所属党支部的工作平台。支部的“三会一课”、主题党日、集体学习和联学共建在这里记录一次，"
    "台账、合规情况和年度材料都由此生成。</p>"
    "<p>党员登录后可以查看本支部的组织、人员与职务；支部书记可以维护人员和职务，每一次修改都留有记录。</p>"
)


def load(*, stdout) -> None:
    home = HomePage.objects.first()
    if home is None or home.intro == HOME_INTRO:
        return
    home.intro = HOME_INTRO
    home.title = "首页"
    home.save_revision().publish()
    stdout.write("门户首页 Portal home page: updated")
