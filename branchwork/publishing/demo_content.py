"""The demo portal's text: channels, a series and articles of the (fictional) Donghu Institute.

Written for this demo. People are the demo people of core/demo.py, by their keys; every place,
event and figure is invented. Dates are publication times in the deployment's time zone.
"""

from __future__ import annotations

from typing import NamedTuple


class ChannelSpec(NamedTuple):
    key: str  # slug; a sub-channel's key is "parent/slug"
    title: str
    intro: str = ""
    accepts_contributions: bool = False


class ImageSpec(NamedTuple):
    key: str
    scene: str
    title_zh: str
    title_en: str


class ArticleSpec(NamedTuple):
    slug: str
    channel: str
    title: str
    date: str
    author: str  # a person key of core.demo, or "" with author_name
    paragraphs: tuple[str, ...]
    subtitle: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    image: str = ""  # an ImageSpec key
    caption: str = ""
    image_after: int = 1  # the image comes after this many paragraphs
    internal: bool = False
    org: str = "dh-cmte"  # whose members read it, when internal (an organization code of core.demo)
    language: str = "zh-hans"
    author_name: str = ""
    summary: str = ""
    part: int | None = None  # part of the series


class ContributionSpec(NamedTuple):
    author: str
    title: str
    paragraphs: tuple[str, ...]
    state: str  # "with_editor", "with_signer", "sent_back" or "published"
    comment: str = ""


HOME_INTRO = (
    "<p>东湖研究院机关党委及所属党支部的工作平台。支部的“三会一课”、主题党日、集体学习和联学共建在这里记录一次，"
    "台账、合规情况和年度材料都由此生成。</p>"
    "<p>门户刊登各支部的工作动态、理论学习心得和调研成果；党员可以在线投稿，也可以发邮件投稿，"
    "稿件经责任编辑审改、签发人签发后发布。标为“内部”的文章登录后才能阅读。</p>"
)

CHANNELS = [
    ChannelSpec("jiceng", "基层组织建设", "<p>支部建设的做法与经验：组织生活、班子建设、党员教育管理。</p>"),
    ChannelSpec("jiceng/zhibu-fengcai", "支部风采", "<p>各党支部、党小组的活动与风貌。</p>"),
    ChannelSpec("lilun", "理论学习", "<p>集体学习、读书班、党课和学习体会。</p>"),
    ChannelSpec("diaoyan", "调查研究", "<p>专题调研的进展、手记与成果。</p>"),
    ChannelSpec("guoji", "国际交流", "<p>对外交流活动与研讨会。International exchanges of the institute.</p>"),
    ChannelSpec("tougao", "党员来稿", "<p>党员来稿，经责任编辑审改、签发后在此刊登。</p>", True),
]

SERIES = {
    "key": "jiceng",
    "slug": "sishu",
    "title": "支部书记谈“四强”",
    "intro": "<p>围绕“四强”党支部建设，各支部书记谈认识、谈做法、谈打算。本系列按政治功能强、支部班子强、"
             "党员队伍强、作用发挥强四个方面陆续刊出。</p>",
}

IMAGES = [
    ImageSpec("community", "street", "走进社区听民声", "Into the community"),
    ImageSpec("meeting", "meeting", "支部党员大会", "Branch general meeting"),
    ImageSpec("books", "books", "读原著 学原文 悟原理", "Reading the originals"),
    ImageSpec("memorial", "hills", "重温入党誓词", "Renewing the oath"),
    ImageSpec("globe", "globe", "城市治理与可持续发展研讨会", "Seminar on urban governance"),
    ImageSpec("survey", "chart", "社区服务需求问卷分析", "Survey of community needs"),
    ImageSpec("volunteers", "trees", "党员志愿服务", "Volunteering"),
    ImageSpec("lecture", "lecture", "支部书记讲党课", "A Party lecture"),
    ImageSpec("exchange", "meeting", "青年学者交流座谈", "Young scholars exchange"),
]

A = ArticleSpec
ARTICLES = [
    # --- 基层组织建设 ---
    A("sichuang-tixiao", "jiceng", "以“四强”党支部创建推动机关党建提质增效", "2025-03-05 10:00", "songwenjing", (
        "研究与交流党总支近日召开支部书记工作例会，部署年度“四强”党支部创建工作。会议提出，要把创建工作和业务工作放在一起谋划，"
        "避免“两张皮”。",
        "会上，研究室党支部、国际交流处党支部分别汇报了去年的组织生活开展情况。总支对照支部工作条例，逐项梳理了“三会一课”"
        "记录中存在的问题：有的会议记录只写议题、不写讨论情况，有的缺席人员未注明原因。",
        "总支书记宋文静强调，创建不是比材料多，而是看支部在急难任务中是否站得出来、党员在岗位上是否干得出色。"
        "各支部要在三月底前形成本支部的创建方案，明确每一项措施的责任人和完成时间。",
    ), source="研究与交流党总支", tags=("四强党支部", "支部建设")),
    A("shuzhi-pingyi-2025", "jiceng", "机关党委召开基层党组织书记抓党建述职评议会", "2026-01-22 16:00", "baixueying", (
        "一月二十一日，机关党委召开2025年度基层党组织书记抓党建工作述职评议会。各党支部书记依次述职，"
        "机关党委委员和党员代表进行现场评议。",
        "述职中，研究室党支部介绍了“把支部建在课题上”的做法，国际交流处党支部介绍了外事工作中加强纪律教育的经验，"
        "综合办公室党支部介绍了服务保障岗位党员亮身份、作表率的做法。",
        "评议环节，党员代表围绕组织生活质量、青年党员培养、调研成果转化等提出了意见建议。"
        "机关党委将汇总评议意见，反馈各支部并督促整改。",
    ), source="机关党委办公室", tags=("述职评议", "支部建设"), image="meeting",
        caption="述职评议会现场", image_after=1),
    A("sanhui-yike-jilu", "jiceng", "关于规范“三会一课”记录的几点提示", "2025-11-05 09:00", "hanguoqing", (
        "近期机关党委对各支部上半年的会议记录进行了抽查，发现部分记录要素不全。现将有关要求提示如下，请各支部对照执行。",
        "一是会议名称、时间、地点、主持人、记录人、应到实到人数要写全，缺席人员要注明原因；二是讨论情况要如实记录主要观点，"
        "不能只写“大家一致同意”；三是决议事项要写明表决结果。",
        "记录在平台上提交后由主持人审核锁定，锁定后如需更正，请通过“更正”功能说明理由，系统会保留修改前后的内容。",
    ), tags=("三会一课", "组织生活"), internal=True),

    # --- the series: 支部书记谈“四强” ---
    A("sishu-1", "jiceng", "支部书记谈“四强”", "2025-08-05 09:00", "lijing", (
        "政治功能强，是“四强”的第一条，也是管总的一条。对研究室来说，政治功能强首先体现在研究方向上：选题要对准中心工作，"
        "成果要经得起检验。",
        "这两年，我们坚持每个重点课题立项前先在支委会上议一议，看方向对不对、力量够不够，课题负责人要向支部说明研究思路。"
        "这样做，一开始有同志觉得多了一道程序，后来大家发现，支部把关恰恰帮助课题少走了弯路。",
        "组织生活也要有“研究味”。我们把集体学习和课题研讨结合起来，学一个专题，议一个问题，形成一份小结。"
        "支部的政治功能，就体现在这些具体的事情里。",
    ), subtitle="政治功能强：把方向，议大事，抓落实", tags=("四强党支部", "政治功能"), part=1,
        summary="研究室党支部书记李婧谈如何把支部的政治功能落实到选题把关和组织生活中。"),
    A("sishu-2", "jiceng", "支部书记谈“四强”", "2025-08-19 09:00", "xuliping", (
        "今年七月，国际交流处党支部完成换届。新一届支委会上，我们做的第一件事是把每位委员的分工写清楚，"
        "组织、宣传、纪检各管一摊，又互相补位。",
        "外事工作出差多，支委常常不能同时在岗。为此我们约定：支委会每月固定在第一周召开，确有出差的委员提前书面提交意见；"
        "重要事项不因人员不齐而拖延，也不因赶时间而省略讨论。",
        "班子强不强，关键看书记。我给自己定了一条：每个季度至少和每位支委谈一次心，听听他们对支部工作的想法。",
    ), subtitle="支部班子强：分工明确，补位及时", tags=("四强党支部", "班子建设"), part=2),
    A("sishu-3", "jiceng", "支部书记谈“四强”", "2025-09-02 09:00", "hanguoqing", (
        "综合办公室的同志大多在服务保障岗位，工作琐碎，成绩不容易被看见。党员队伍强，就要让每名党员都有“岗”、有“责”、有“样”。",
        "我们在办公楼设了党员示范岗，文件流转、会议服务、后勤保障各有党员牵头；每季度由党员和群众评一评，"
        "评的不是谁加班多，而是谁把事情办得又快又准。",
        "对于入党积极分子和新党员，我们实行“一带一”，由老党员带着参加支部活动、参与重要保障任务，让他们在实践中成长。",
    ), subtitle="党员队伍强：让每名党员都有“岗”", tags=("四强党支部", "党员队伍"), part=3),
    A("sishu-4", "jiceng", "支部书记谈“四强”", "2025-09-16 09:00", "songwenjing", (
        "作用发挥强，说到底要落在业务上。研究与交流党总支下属两个支部，一个搞研究，一个搞外事，"
        "我们提出“把支部建在课题上、把党员放在一线上”。",
        "在“城市更新中的基层治理”专题调研中，研究室党支部成立了临时党小组，调研组走到哪里，组织生活就过到哪里。"
        "国际交流处党支部在筹办国际研讨会期间，由党员分别承担联络、翻译、会务等关键环节。",
        "作用发挥得怎么样，最终要看成果、看口碑。年底我们将请合作单位和服务对象给支部打分，把评价结果作为改进工作的依据。",
    ), subtitle="作用发挥强：把支部建在课题上", tags=("四强党支部", "作用发挥"), part=4),

    # --- 支部风采 ---
    A("shequ-minsheng", "jiceng/zhibu-fengcai", "研究室党支部开展“走进社区听民声”主题党日活动", "2025-04-18 17:30",
      "zhaoyifan", (
        "四月十七日，研究室党支部组织十二名党员走进东湖街道滨江社区，开展“走进社区听民声”主题党日活动。",
        "党员们分成三组，分别走访了社区党群服务中心、老年食堂和新建的口袋公园，与社区工作者和居民代表座谈，"
        "听取大家对加装电梯、停车管理、托育服务等问题的意见。",
        "活动结束后，支部召开简短的交流会。大家表示，这些问题正是城市更新课题需要回答的，要把听到的声音带回研究中去。",
    ), tags=("主题党日", "调查研究"), image="community", caption="党员在滨江社区走访居民", image_after=1,
        summary="支部党员走进滨江社区，听取居民对加装电梯、停车管理、托育服务的意见。"),
    A("gjc-huanjie", "jiceng/zhibu-fengcai", "国际交流处党支部召开党员大会完成换届选举", "2025-07-02 18:00", "caolin", (
        "六月三十日，国际交流处党支部召开党员大会，选举产生新一届支部委员会。应到党员十三名，实到十二名，符合规定人数。",
        "大会听取了上一届支委会的工作报告。报告回顾了三年来在外事纪律教育、青年党员培养等方面的工作，也指出了组织生活"
        "与出访任务冲突时安排不够灵活的问题。",
        "经无记名投票，徐丽萍、曹琳、张宇航、蒋文涛当选支部委员。随后召开的支委会选举徐丽萍为支部书记，并报机关党委审批。",
    ), tags=("换届选举", "支部建设")),
    A("yike-yiti", "jiceng/zhibu-fengcai", "研究室第一党小组开展“一课一题”集体学习", "2025-05-22 19:00", "wanghaoran", (
        "五月二十一日晚，研究室第一党小组开展集体学习。与以往不同，这次学习由组内三名青年党员轮流领学，每人结合手头课题提出一个问题。",
        "王浩然围绕“调研访谈怎样避免先入为主”谈了自己的体会，唐佳欣分享了整理问卷数据时遇到的困难，蔡文博介绍了一个街道的议事规则。",
        "党小组组长赵一帆说，“一课一题”就是要让学习和研究互相促进，下一步将把好的问题整理出来，提交支部作为集体学习的专题。",
    ), tags=("集体学习", "青年党员")),
    A("hongse-jiaoyu", "jiceng/zhibu-fengcai", "青年党员赴革命纪念馆接受红色教育", "2025-06-28 20:00", "tangjiaxin", (
        "建党纪念日前夕，研究室党支部组织青年党员到城郊的革命纪念馆参观学习。",
        "在讲解员的带领下，大家参观了展陈，重温了入党誓词。预备党员唐佳欣说，站在展柜前读那些泛黄的信件，"
        "更能体会“初心”二字的分量。",
        "返程途中，大家交流了参观体会，并约定把这次学习的心得整理成文，在支部集体学习时交流。",
    ), tags=("红色教育", "青年党员"), image="memorial", caption="青年党员在纪念馆前重温入党誓词", image_after=2),
    A("lianxue-gongjian", "jiceng/zhibu-fengcai", "研究室党支部与城市发展研究中心第二党支部开展联学共建", "2025-10-16 17:00",
      "sunmingyuan", (
        "十月十五日，研究室党支部与城市发展研究中心第二党支部在我院开展联学共建活动，机关团委的青年代表参加。",
        "两个支部的党员围绕“城市更新中如何发挥基层党组织作用”进行了交流。城市发展研究中心的同志介绍了他们在老旧小区改造评估中"
        "积累的数据，我院调研组介绍了滨江社区的案例。",
        "双方约定，明年将共同开展一次专题调研，并轮流承办联学活动。",
    ), tags=("联学共建", "调查研究")),
    A("qingjie-ri", "jiceng/zhibu-fengcai", "党员志愿服务队参加“社区清洁日”活动", "2026-03-12 18:00", "maxiao", (
        "三月十一日下午，院党员志愿服务队二十余人来到共建社区，参加“社区清洁日”活动。",
        "志愿者们清理了楼道堆放物，给社区小花园补种了树苗，还帮助社区工作人员整理了居民议事会的档案。",
        "这是服务队今年的第一次集体活动。服务队将每月安排一次进社区活动，党员自愿报名，不搞摊派、不设指标。",
    ), tags=("志愿服务",), image="volunteers", caption="志愿者在社区小花园补种树苗", image_after=1),
    A("yjs-2026-yaodian", "jiceng/zhibu-fengcai", "研究室党支部2026年度工作要点", "2026-01-15 10:00", "lijing", (
        "一、组织生活。按期召开支部党员大会、支委会和党小组会，每季度讲一次党课，每月开展一次主题党日；"
        "集体学习每月两次，其中一次结合课题开展专题研讨。",
        "二、“四强”党支部创建。对照创建方案，上半年完成自评，下半年迎接机关党委评估；重点补齐青年党员培养和调研成果转化两项短板。",
        "三、调查研究。围绕“城市更新中的基层治理”形成一份总报告和三份专题报告，年内至少组织两次成果交流。",
        "四、党员教育管理。做好两名预备党员的教育考察，按时转正；党员学习时长按年度要求完成。",
    ), tags=("工作要点",), internal=True),
    A("zhb-fuwu", "jiceng/zhibu-fengcai", "综合办公室党支部：把服务保障做在前面", "2026-08-20 16:00", "fengxu", (
        "暑期是院里会议和调研任务最集中的时候。综合办公室党支部提前一个月梳理了各部门的用车、用会和接待需求，"
        "排出了一张“保障日历”。",
        "支部党员分片包干，每人联系两到三个部门，有问题当天响应。七月以来，办公室共保障会议四十余场，未出现差错。",
        "支部书记韩国庆说，服务保障干得好不好，别人最有发言权。支部将在年底请各部门对服务情况进行评价。",
    ), tags=("服务保障", "支部建设")),

    # --- 理论学习 ---
    A("dushuban-2025", "lilun", "机关党委举办专题读书班", "2025-03-20 17:00", "shichen", (
        "三月十七日至十九日，机关党委举办为期三天的专题读书班，各支部书记、支委和部分青年党员参加。",
        "读书班采取集中自学、专题辅导和分组研讨相结合的方式。大家围绕“如何把学习成果转化为推动工作的实际举措”展开讨论。",
        "结业时，每位学员提交了一份读书笔记，机关党委择优在门户刊发。",
    ), source="机关党委办公室", tags=("读书班", "理论学习"), image="books", caption="读书班学员分组研讨", image_after=1),
    A("du-yuanzhu", "lilun", "研究室党支部开展“读原著、学原文、悟原理”集体学习", "2025-05-09 18:00", "huangshumin", (
        "五月八日，研究室党支部开展集体学习。与会党员围绕事先选定的篇目逐段研读，边读边议。",
        "支部书记李婧领学后，大家结合各自的研究领域谈了体会。有同志提出，读原著要“慢”下来，把关键论述放回当时的历史背景中去理解。",
        "支部决定，今后的集体学习每次确定一篇原著篇目，提前一周发给党员，会上重点交流问题和体会。",
    ), tags=("集体学习", "理论学习")),
    A("qingnian-xuexi", "lilun", "青年理论学习小组：在研讨中把道理讲透", "2025-11-20 19:30", "rensiyuan", (
        "机关青年理论学习小组成立两年来，坚持每月一次研讨。每次由一名成员主讲，其他成员提问，最后由指导老师点评。",
        "小组成员任思远说，主讲最难的不是准备材料，而是回答同伴的追问，“讲不透就说明自己没想透”。",
        "本年度小组共开展研讨十一次，形成学习笔记三十余篇，其中六篇被推荐到院内刊物。",
    ), tags=("青年理论学习", "理论学习")),
    A("diaoyan-moushi", "lilun", "学习笔记：调查研究是谋事之基", "2026-02-27 15:00", "liuzhiqiang", (
        "做研究的人，常常把“调研”挂在嘴边，但真正沉下去的时候并不多。重读有关调查研究的论述，我有三点体会。",
        "第一，调研要带着问题去。问题清楚了，访谈提纲才有针对性，收集的材料才不至于“一大堆、用不上”。"
        "第二，要听得进不同意见。基层同志说的话，有时候不中听，但往往最接近实际。",
        "第三，调研成果要回到实践中检验。报告写完不是终点，要跟踪建议的落实情况，看看哪些管用、哪些需要修正。",
    ), tags=("学习体会", "调查研究")),
    A("2026-q1-xuexi", "lilun", "2026年第一季度理论学习安排", "2026-01-08 09:00", "shichen", (
        "根据机关党委年度学习计划，现将第一季度理论学习安排通知如下。",
        "一月：各支部开展一次专题集体学习，主题为年度重点工作部署；二月：结合春节后开工，开展一次警示教育；"
        "三月：各支部书记讲一次党课。",
        "各支部请于每次学习后一周内在平台上完成记录，机关党委办公室将按季度汇总。",
    ), source="机关党委办公室", tags=("学习安排",), internal=True),
    A("dangke-guifanhua", "lilun", "党课｜从“三会一课”看支部组织生活的规范化", "2026-04-21 16:00", "zhouweidong", (
        "四月二十日，研究室党支部副书记周卫东以“从‘三会一课’看支部组织生活的规范化”为题，为支部党员讲了一堂党课。",
        "党课从一份普通的会议记录讲起：时间、地点、应到实到、讨论情况、表决结果，每一项看似平常，"
        "背后都是组织生活的规矩。周卫东说，规范化不是形式主义，恰恰是为了防止组织生活流于形式。",
        "党课最后，他结合支部上一年度的检查情况，提出了三条改进意见，并请党员们提出补充。",
    ), tags=("党课", "组织生活"), image="lecture", caption="周卫东为支部党员讲党课", image_after=1),
    A("dushu-yue", "lilun", "机关团委与研究室党支部联合开展青年读书月活动", "2026-04-28 18:00", "yuanmeng", (
        "四月是机关青年读书月。机关团委与研究室党支部联合推出“每周一书”，由青年党员和团员轮流推荐并导读。",
        "四周里，大家共读了四本书，涉及城市社会学、地方治理和科普写作。每次导读后都有半小时自由讨论，气氛热烈。",
        "团委书记袁梦介绍，读书月的书单和导读笔记将整理成册，放在院图书室供大家借阅。",
    ), tags=("青年读书月", "理论学习")),

    # --- 调查研究 ---
    A("chengshi-gengxin-qidong", "diaoyan", "研究室启动“城市更新中的基层治理”专题调研", "2025-03-28 11:00", "sunmingyuan", (
        "三月二十七日，研究室召开专题调研启动会，“城市更新中的基层治理”调研正式开展。",
        "调研分为老旧小区改造、产业园区治理、社区公共服务三个子课题，计划走访五个街道、十余个社区和园区，"
        "形成一份总报告和三份专题报告。",
        "研究室党支部同步成立调研临时党小组，确保调研组在外期间组织生活不断档。",
    ), tags=("城市更新", "调查研究")),
    A("shouji-xieshang", "diaoyan", "调研手记：老旧小区改造中的“协商议事”", "2025-06-12 15:00", "caiwenbo", (
        "在滨江社区的三天里，我们旁听了两次居民议事会。议题很具体：三号楼要不要加装电梯，费用怎么分摊，低楼层住户的意见怎么办。",
        "让我印象最深的是社区书记的一句话：“议事会不是拍板会，是让大家把话说完。”一次会议开了两个多小时，"
        "最后没有形成结论，但每户的顾虑都被记了下来。",
        "这让我反思：我们在报告中常写“建立协商机制”，但机制怎样运转、遇到分歧怎么办，恰恰是最需要讲清楚的地方。",
    ), tags=("城市更新", "调研手记"), image="community", caption="滨江社区三号楼前的居民议事会", image_after=1),
    A("shouji-yuanqu", "diaoyan", "调研手记：产业园区的党建联盟怎样运转", "2025-09-09 15:00", "hejun", (
        "东湖科技园有一百多家企业，其中建立党组织的有三十余家。园区党委牵头成立了党建联盟，每季度开一次联席会。",
        "联席会不只谈党建，也谈企业的实际困难：人才公寓、通勤班车、知识产权保护。园区党委的同志说，"
        "联盟的生命力在于能解决问题。",
        "我们注意到，联盟中小微企业的参与度不高。下一步，调研组将专门访谈几家小微企业，了解他们的需求和顾虑。",
    ), tags=("产业园区", "调研手记")),
    A("chengguo-jiaoliu-2025", "diaoyan", "专题调研成果交流会举行", "2025-12-18 17:00", "guoruolan", (
        "十二月十七日，研究室举行“城市更新中的基层治理”专题调研成果交流会，三个子课题组分别汇报了阶段成果。",
        "城市发展研究中心的专家应邀点评。专家认为，报告案例扎实，但对不同类型社区的比较还不够，建议补充对照样本。",
        "研究室主任李婧表示，将根据点评意见修改完善报告，争取在明年一季度形成正式成果。",
    ), tags=("城市更新", "调研成果"), image="meeting", caption="调研成果交流会现场", image_after=1),
    A("baosong-geshi", "diaoyan", "关于调研报告内部报送格式的说明", "2026-02-10 10:00", "sunmingyuan", (
        "为便于汇总和归档，现对调研报告的内部报送格式作如下说明。",
        "报告正文前须附一页摘要，写明调研时间、地点、方法和主要结论；引用的数据须注明来源；访谈对象一律匿名处理，"
        "以“社区工作者A”“居民B”等方式指代。",
        "报告经课题负责人审核后，由科研协调人统一报送。涉及尚未公开的数据的报告，只在院内报送，不得对外提供。",
    ), tags=("调研报告",), internal=True, org="yjs-branch"),
    A("wenjuan-fenxi", "diaoyan", "用数据说话：社区服务需求问卷分析", "2026-05-14 15:00", "zhaoyifan", (
        "去年秋天，调研组在五个社区发放问卷八百份，回收有效问卷六百八十二份。分析结果显示，居民最关心的三项服务依次是"
        "养老助餐、托育服务和停车管理。",
        "不同年龄段的需求差异明显：六十岁以上居民最关心助餐和就医陪护，三十至四十五岁居民最关心托育和课后看护。",
        "这些结果已经反馈给相关街道，其中两个社区据此调整了党群服务中心的功能布局。",
    ), tags=("问卷调查", "调查研究"), image="survey", caption="各年龄段居民最关心的服务", image_after=1),
    A("minqing-riji", "diaoyan", "调研手记：一个街道的“民情日记”", "2026-09-03 15:00", "wanghaoran", (
        "在东湖街道，每位社区工作者都有一本“民情日记”，记录每天走访中听到的问题和处理情况。",
        "我翻看了其中一本，最早的一页是三年前写的：某楼栋下水道堵塞，三天后疏通。最近的一页写着：居民希望增加夜间照明，已报街道。",
        "日记里没有大道理，但一条条记录连起来，就是基层治理最真实的样子。我想，我们的研究也应该有这样的“日记”。",
    ), tags=("调研手记", "基层治理")),
    A("zhiweihui-pingyi", "diaoyan", "支部委员会专题研究年度民主评议工作", "2026-11-10 18:00", "liuzhiqiang", (
        "十一月九日，研究室党支部召开支委会，专题研究年度民主评议党员工作。",
        "会议确定了评议的时间安排和程序：十二月上旬开展党员自评和互评，中旬召开支部党员大会进行评议，下旬将评议结果报机关党委。",
        "会议要求，评议要实事求是，对党员的优点说足、问题点准，不搞“一团和气”。",
    ), tags=("民主评议",), internal=True, org="yjs-branch"),

    # --- 国际交流 ---
    A("waishi-jilv", "guoji", "国际交流处党支部开展外事工作纪律专题学习", "2025-04-10 17:00", "zhangyuhang", (
        "四月九日，国际交流处党支部开展外事工作纪律专题学习，全体党员和即将出访的同志参加。",
        "学习中，支部组织委员曹琳结合近年来的典型案例，逐条讲解了出访审批、对外交往和资料保管等方面的要求。",
        "与会同志表示，外事无小事，要把纪律要求落实到每一次接待、每一封邮件中。",
    ), tags=("外事纪律", "集体学习")),
    A("yantaohui-2025", "guoji", "东湖研究院举办“城市治理与可持续发展”国际研讨会", "2025-10-28 18:00", "linxuewei", (
        "十月二十七日至二十八日，东湖研究院举办“城市治理与可持续发展”国际研讨会，来自八个国家的三十余位学者参会。",
        "与会学者围绕城市更新、社区参与、公共服务数字化等议题进行了交流。我院研究室介绍了城市更新专题调研的阶段成果，引起较大兴趣。",
        "研讨会期间，国际交流处党支部的党员承担了联络、翻译和会务保障工作。会后，参会学者表示希望建立长期的合作研究机制。",
    ), tags=("国际研讨会", "城市治理"), image="globe", caption="研讨会分论坛现场", image_after=1),
    A("qingnian-zuotan", "guoji", "在交流中讲好研究故事——青年外事干部座谈会侧记", "2026-06-18 17:00", "zouying", (
        "六月十七日，国际交流处邀请研究室的青年学者，与青年外事干部座谈。",
        "座谈中，外事干部们谈到，外方同行最感兴趣的往往不是宏观数字，而是具体的社区案例。研究室的同志介绍了滨江社区协商议事的故事。",
        "大家商定，两个部门将共同整理一批中英文对照的案例材料，供今后的对外交流使用。",
    ), tags=("青年交流", "对外交流"), image="exchange", caption="青年外事干部与青年学者座谈", image_after=1),
    # English
    A("seminar-urban-governance", "guoji", "Donghu Institute hosts international seminar on urban governance",
      "2025-10-29 10:00", "linxuewei", (
        "More than thirty scholars from eight countries met at the Donghu Institute on 27 and 28 October for a seminar "
        "on urban governance and sustainable development.",
        "Panels covered urban renewal, community participation and the digitalisation of public services. The Research "
        "Office presented early findings from its fieldwork in older residential neighbourhoods, where residents and "
        "community workers negotiate the installation of lifts and the sharing of costs.",
        "Participants proposed a joint research programme. The International Exchange Division will circulate a draft "
        "outline to partner institutions before the end of the year.",
    ), tags=("seminar", "urban governance"), image="globe", caption="A panel session of the seminar",
        image_after=1, language="en"),
    A("young-researchers-visiting-scholars", "guoji", "Young researchers exchange notes with visiting scholars",
      "2026-03-26 16:00", "zhangyuhang", (
        "Four visiting scholars spent an afternoon with young researchers of the Research Office, comparing how "
        "fieldwork is planned and written up in their countries.",
        "The discussion turned quickly to practical questions: how to keep interviewees anonymous, how to report "
        "findings back to the communities studied, and how to write for readers who were not in the field.",
        "Both sides agreed to share their interview guides. A follow-up session is planned for the autumn.",
    ), tags=("exchange", "young researchers"), language="en"),
    A("fieldwork-notes-for-colleagues", "guoji", "What we learned from community fieldwork: notes for visiting colleagues",
      "2026-05-30 11:00", "caiwenbo", (
        "Visiting colleagues often ask how our fieldwork in residential communities is organised. These notes answer the "
        "most frequent questions.",
        "We work in small teams of three or four, stay in one community for several days, and attend residents' meetings "
        "as observers. Community workers help us to reach residents, but we always ask for consent in person.",
        "Findings are shared with the street office and the community before they are published. This takes time, but "
        "it has improved both the accuracy of our reports and the trust of the people we work with.",
    ), tags=("fieldwork", "methods"), image="community", caption="A residents' meeting in Binjiang community",
        image_after=2, language="en"),
    A("reading-list-grassroots-governance", "guoji", "A reading list on grassroots governance", "2026-07-15 10:00",
      "guoruolan", (
        "Colleagues from partner institutions asked for a short list of readings in Chinese and English on grassroots "
        "governance. We have put together twelve titles, grouped by theme.",
        "The first group introduces how residents' committees and street offices work. The second covers urban renewal "
        "and participation. The third collects studies of public services at community level.",
        "The full list, with notes on each title, is available from the Research Office on request.",
    ), tags=("reading list", "grassroots governance"), language="en"),
    A("partner-delegation-visit", "guoji", "Delegation from a partner think tank visits the Research Office",
      "2026-10-12 17:00", "gaoyuan", (
        "A five-member delegation from a partner think tank visited the Research Office on 11 October.",
        "The delegation was briefed on the institute's research on urban renewal and visited a community service "
        "centre that took part in last year's survey.",
        "The two institutions agreed to exchange researchers for short stays next year and to hold a joint workshop on "
        "survey methods.",
    ), tags=("delegation", "exchange"), language="en"),
]

CONTRIBUTIONS = [
    ContributionSpec("wanghaoran", "第一次主持党小组学习", (
        "这个月，组长让我主持党小组的集体学习。接到任务后，我先把学习材料通读了两遍，又列出了三个讨论题。",
        "会上，老党员们的发言让我受益很多。他们结合几十年的工作经历谈体会，比材料上的文字生动得多。",
        "会后组长给我提了两条建议：讨论题要少而精，主持人要多追问。我把它们记在了笔记本的第一页。",
    ), "published"),
    ContributionSpec("wanghaoran", "参加青年理论学习小组读书会有感", (
        "上周五，我第一次在青年理论学习小组的读书会上担任主讲。为了准备这次发言，我把选定的篇目读了三遍，还请教了组里的老同志。",
        "讨论中，大家提了不少我没想到的问题，比如理论和调研数据之间怎样互相印证。这些问题让我意识到，自己对很多概念只是“知道”，"
        "还谈不上“理解”。",
        "今后我打算每读一篇，就写一段笔记，把想不通的地方记下来，带到下一次研讨中去。",
    ), "with_editor"),
    ContributionSpec("tangjiaxin", "转正之后：在调研一线成长", (
        "今年五月，我按期转为正式党员。这一年里，我跟着调研组走了五个社区，做了四十多次访谈。",
        "最难忘的是第一次独立主持座谈。开场前我很紧张，社区的老党员看出来了，先给我讲了一段小区的历史，气氛一下子就轻松了。",
        "我想，做一名合格的党员，就是在每一项具体工作中都把群众放在心上。",
    ), "with_signer"),
    ContributionSpec("wanghaoran", "党小组开展“一课一题”学习的一点做法", (
        "我们党小组今年尝试“一课一题”的学习方法，效果不错，在这里和大家分享。",
        "每次学习由一名党员结合手头工作提出一个问题，大家围绕问题学文件、谈思路。",
    ), "sent_back", "内容很好，但篇幅偏短。请补充一两个具体例子（哪次学习、讨论了什么问题、有什么收获），并写明活动的时间和参加人数；"
                   "如有现场照片也请一并附上。"),
]
