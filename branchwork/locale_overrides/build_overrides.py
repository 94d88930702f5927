"""Write branchwork/locale_overrides/zh_Hans/LC_MESSAGES/django.po: our Chinese for what the
Chinese catalogues of Wagtail and Django lack or get wrong in the back office. This catalogue
comes first in LOCALE_PATHS, so its entries win over Wagtail's and Django's.

Run it after changing the table below, then `branchwork compilemessages` (make messages does
both). The msgids are Wagtail's and Django's own, copied from their English catalogues."""

from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
S = "<span class=\"w-sr-only\">created in %(site_name)s</span>"

SINGLE = {
    # The admin home.
    "Search all pages…": "搜索所有页面…",
    "Wagtail %(current_version)s editor guide": "Wagtail %(current_version)s 编辑指南（英文）",
    "Edit account avatar": "编辑账户头像",
    "Privacy and access": "隐私与访问",
    "Page types usage": "页面类型使用情况",
    "Shortcuts": "快捷键",
    "Pages": "页面",
    "Search": "搜索",
    "%(time_period)s ago": "%(time_period)s前",
    "%(time_period)s ago by %(user_display_name)s": "%(user_display_name)s %(time_period)s前",
    # The page explorer.
    "Exploring: %(title)s": "浏览：%(title)s",
    "Actions": "操作",
    "Date updated": "更新时间",
    "Edited by": "编辑人",
    "Has child pages": "有子页面",
    "Page type": "页面类型",
    "Any": "任意",
    "None": "无",
    "Locking: ": "锁定：",
    "Anyone can edit this %(model_name)s": "任何人都可以编辑此%(model_name)s",
    "Anyone can edit this %(model_name)s – lock it to prevent others from editing":
        "任何人都可以编辑此%(model_name)s，锁定后他人不能编辑",
    "The root level is where you can add new sites to your Wagtail installation. Pages created here "
    "will not be accessible at any URL until they are associated with a site.":
        "根层级用于添加新的站点。在这里创建的页面在关联到站点之前，任何网址都访问不到。",
    "If you just want to add pages to an existing site, create them as children of the homepage "
    "instead.": "如果只是要在已有站点中添加页面，请在首页之下创建子页面。",
}
PLURAL = {
    ("%(total)s Page " + S, "%(total)s Pages " + S): "%(total)s个页面 <span class=\"w-sr-only\">（创建于%(site_name)s）</span>",
    ("%(total)s Image <span class=\"w-sr-only\">created in %(site_name)s</span>",
     "%(total)s Images <span class=\"w-sr-only\">created in %(site_name)s</span>"):
        "%(total)s张图片 <span class=\"w-sr-only\">（创建于%(site_name)s）</span>",
    ("%(total)s Document <span class=\"w-sr-only\">created in %(site_name)s</span>",
     "%(total)s Documents <span class=\"w-sr-only\">created in %(site_name)s</span>"):
        "%(total)s个文档 <span class=\"w-sr-only\">（创建于%(site_name)s）</span>",
    ("Referenced %(count)s time", "Referenced %(count)s times"): "被引用%(count)s次",
    # Django's time spans, without the space between the number and the unit ("22分钟前").
    ("%(num)d year", "%(num)d years"): "%(num)d年",
    ("%(num)d month", "%(num)d months"): "%(num)d个月",
    ("%(num)d week", "%(num)d weeks"): "%(num)d周",
    ("%(num)d day", "%(num)d days"): "%(num)d天",
    ("%(num)d hour", "%(num)d hours"): "%(num)d小时",
    ("%(num)d minute", "%(num)d minutes"): "%(num)d分钟",
}


def main() -> Path:
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": "branchwork overrides",
        "Language": "zh_Hans",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    for msgid, msgstr in SINGLE.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    for (one, many), msgstr in PLURAL.items():
        po.append(polib.POEntry(msgid=one, msgid_plural=many, msgstr_plural={0: msgstr}))
    path = HERE / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.save(str(path))
    po.save_as_mofile(str(path.with_suffix(".mo")))
    return path


if __name__ == "__main__":
    print(main())
