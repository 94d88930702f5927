"""Turning the bytes of Chinese mail into text, whatever the sender's software claimed.

Mail from Chinese users arrives in UTF-8, GB2312, GBK, GB18030 or Big5, and the label is often
narrower than the bytes (GBK text labelled gb2312, HKSCS characters labelled big5), wrong
(GBK labelled iso-8859-1) or missing. So:

- a label is widened to the superset that decodes it (gb2312/gbk → gb18030, big5 → big5hkscs,
  then cp950);
- bytes that do not decode under their label, or carry a label Python does not know, are tried
  as UTF-8, GB18030 and Big5, and where more than one decodes, charset-normalizer chooses the
  one whose text reads best (GB18030 accepts nearly any pair of high bytes, Big5 text included);
- a Western label on bytes that read well as Chinese is overruled;
- failing all that, undecodable bytes become U+FFFD and the caller is told.

RFC 2047 encoded words are decoded here too, because the standard decoder decodes each word on
its own: mailers split words in the middle of a multi-byte character, put them inside quoted
strings, or leave raw 8-bit bytes in headers.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from dataclasses import dataclass

from branchwork.core import validators

# Label (lower case) → the codecs to try, widest first.
ALIASES: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gb_2312": ("gb18030",),
    "gb_2312-80": ("gb18030",),
    "euc-cn": ("gb18030",),
    "euccn": ("gb18030",),
    "x-euc-cn": ("gb18030",),
    "chinese": ("gb18030",),
    "csgb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "x-gbk": ("gb18030",),
    "cp936": ("gb18030",),
    "ms936": ("gb18030",),
    "windows-936": ("gb18030",),
    "gb18030": ("gb18030",),
    "big5": ("big5hkscs", "cp950"),
    "big-5": ("big5hkscs", "cp950"),
    "x-big5": ("big5hkscs", "cp950"),
    "cn-big5": ("big5hkscs", "cp950"),
    "csbig5": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "ms950": ("cp950", "big5hkscs"),
    "big5-hkscs": ("big5hkscs", "cp950"),
    "big5hkscs": ("big5hkscs", "cp950"),
    "utf8": ("utf-8",),
    "utf-8": ("utf-8",),
    "unicode-1-1-utf-8": ("utf-8",),
    "ks_c_5601-1987": ("cp949",),
}
# Labels that mailers put on Chinese text they did not understand.
WESTERN = {
    "us-ascii",
    "ascii",
    "iso-8859-1",
    "latin1",
    "latin-1",
    "iso8859-1",
    "windows-1252",
    "cp1252",
    "",
}
GUESSES = ("utf-8", "gb18030", "big5hkscs")

# The most frequent characters of written Chinese, simplified and traditional, to tell a right
# decoding from a wrong one (which yields rare characters). Written out by hand for this module.
_COMMON_SIMPLIFIED = (
    "的一是了不在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之"
    "年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样"
    "理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将"
    "两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信"
    "表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔"
    "更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统"
    "区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品"
    "住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根"
    "干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流"
    "备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越"
    "器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突"
    "专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态"
    "护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故"
    "按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职"
    "速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤"
    "素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略"
    "范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚"
    "善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶"
    "块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序"
    "升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移"
    "娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸"
    "予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授"
    "诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍"
    "凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘"
    "亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞"
    "街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞"
    "圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵尺纷抢怕晨登"
)
_COMMON_TRADITIONAL = (
    "的一是了不在人有我他這個們中來上大為和國地到以說時要就出會可也你對生能而子那得於著下自之"
    "年過發後作裡用道行所然家種事成方多經麼去法學如都同現當沒動面起看定天分還進好小部其些主樣"
    "理心她本前開但因只從想實日軍者意無力它與長把機十民第公此已工使情明性知全三又關點正業外將"
    "兩高間由問很最重並物手應戰向頭文體政美相見被利什二等產或新己製身果加西斯月話合回特代內信"
    "表化老給世位次度門任常先海通教兒原東聲提立及比員解水名真論處走義各入幾口認條平系氣題活爾"
    "更別打女變四神總何電數安少報才結反受目太量再感建務做接必場件計管期市直德資命山金指克許統"
    "區保至隊形社便空決治展馬科司五基眼書非則聽白卻界達光放強即像難且權思王象完設式色路記南品"
    "住告類求據程北邊死張該交規萬取拉格望覺術領共確傳師觀清今切院讓識候帶導爭運笑飛風步改收根"
    "乾造言聯持組每濟車親極林服快辦議往元英士證近失轉夫令準布始怎呢存未遠叫台單影具羅字愛擊流"
    "備兵連調深商算質團集百需價花黨華城石級整府離況亞請技際約示複病息究線似官火斷精滿支視消越"
    "器容照須九增研寫稱企八功嗎包片史委乎查輕易早曾除農找裝廣顯吧阿李標談吃圖念六引歷首醫局突"
    "專費號盡另週較注語僅考落青隨選列武紅響雖推勢參希古眾構房半節土投某案黑維革劃敵致陳律足態"
    "護七興派孩驗責營星夠章音跟志底站嚴巴例防族供效續施留講型料終答緊黃絕奇察母京段依批群項故"
    "按河米圍江織害鬥雙境客紀採舉殺攻父蘇密低朝友訴止細願千值仍男錢破網熱助倒育屬坐帝限船臉職"
    "速刻樂否剛威毛狀率甚獨球般普怕彈校苦創假久錯承印晚蘭試股拿腦預誰益陽若哪微尼繼送急血驚傷"
    "素藥適波夜省初喜衛源食險待述陸習置居勞財環排福納歡雷警獲模充負雲停木遊龍樹疑層冷洲衝射略"
    "範竟句室異激漢村哈策演簡卡罪判擔州靜退既衣您宗積餘痛檢差富靈協角佔配征修皮揮勝降階審沉堅"
    "善媽劉讀啊超免壓銀買皇養伊懷執副亂抗犯追幫宣佛歲航優怪香著田鐵控稅左右份穿藝背陣草腳概惡"
    "塊頓敢守酒島託央戶烈洋哥索胡款靠評版寶座釋景顧弟登貨互付伯慢歐換聞危忙核暗姐介壞討麗良序"
    "升監臨亮露永呼味野架域沙掉括艦魚雜誤灣吉減編楚肯測敗屋跑夢散溫困劍漸封救貴槍缺樓縣尚毫移"
)
_COMMON = frozenset(_COMMON_SIMPLIFIED + _COMMON_TRADITIONAL + "，。、；：？！“”‘’（）《》【】…—　")


@dataclass
class Decoded:
    text: str
    charset: str  # the codec that was used
    note: str = ""  # what had to be guessed or replaced, for the message's log


def candidates(label: str | None) -> tuple[str, ...]:
    """The codecs to try for a declared label, widest first ('' for an unusable label)."""
    label = (label or "").strip().strip("\"'").lower()
    label = label.split("*", 1)[0]  # RFC 2231 language suffix: gb2312*zh
    if label in ALIASES:
        return ALIASES[label]
    try:
        return (codecs.lookup(label).name,)
    except (LookupError, ValueError):
        return ()


def chinese_score(text: str) -> float:
    """The share of the non-ASCII characters that are common in Chinese text (0 for none)."""
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return 0.0
    return sum(1 for c in wide if c in _COMMON) / len(wide)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def guess(data: bytes) -> Decoded | None:
    """The best strict decoding among UTF-8, GB18030 and Big5, or None when none decodes.

    ASCII and UTF-8 are taken when the bytes decode strictly (UTF-8 is self-checking: a strict
    success is almost never an accident); between GB18030 and Big5, which both accept most
    pairs of high bytes, charset-normalizer decides by how the decoded text reads (the same
    detector the spreadsheet imports use, core.imports).
    """
    if _strict(data, "ascii") is not None:
        return Decoded(data.decode("ascii"), "ascii")
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return Decoded(utf8, "utf-8")
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=list(GUESSES[1:])).best()
    if best is None:
        return None
    codec = codecs.lookup(best.encoding).name
    text = _strict(data, codec)
    return Decoded(text, codec) if text is not None else None


def decode_bytes(data: bytes, label: str | None = None) -> Decoded:
    """Decode `data` declared as `label`: never raises, says in `note` what was guessed."""
    if not data:
        return Decoded("", "ascii")
    declared = (label or "").strip().strip("\"'").lower()
    tried = candidates(declared)
    if declared in WESTERN and _strict(data, "ascii") is None:
        # Chinese text under a Western label or none: believe the bytes if they read as Chinese.
        found = guess(data)
        if found is not None and (
            not declared or found.charset == "utf-8" or chinese_score(found.text) >= 0.5
        ):
            found.note = f"labelled {declared or 'nothing'}; decoded as {found.charset}"
            return found
    for codec in tried:
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec)
    found = guess(data)
    if found is not None:
        found.note = f"labelled {declared or 'nothing'}; decoded as {found.charset}"
        return found
    best = min(
        (*tried, "utf-8", "gb18030", "big5hkscs"),
        key=lambda c: data.decode(c, errors="replace").count("\ufffd"),
    )
    text = data.decode(best, errors="replace")
    return Decoded(
        text, best, f"undecodable bytes replaced (labelled {declared or 'nothing'}; read as {best})"
    )


def recover_bytes(value: str) -> bytes:
    """The bytes behind a str the email package made from raw 8-bit data (surrogate escapes)."""
    return value.encode("utf-8", errors="surrogateescape")


def decode_raw_text(value: str, hint: str | None = None) -> str:
    """A header value that may carry raw 8-bit bytes, as text."""
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    return decode_bytes(recover_bytes(value), hint).text


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding.lower() == "b":
            cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
            cleaned += "=" * (-len(cleaned) % 4)
            return base64.b64decode(cleaned)
        return quopri.decodestring(
            payload.replace("_", " ").encode("ascii", errors="replace"), header=True
        )
    except (binascii.Error, ValueError):
        return None


def decode_header_value(value: str | None, hint: str | None = None) -> str:
    """An RFC 2047 header (or a display name) as text, forgiving the common breakages.

    Adjacent encoded words in the same charset are joined before decoding, so a character split
    across two words survives; whitespace between encoded words is dropped, as RFC 2047 says;
    raw 8-bit bytes are decoded with `hint` (the message's body charset) and then guessed.
    """
    if not value:
        return ""
    value = str(value)
    pieces: list[tuple[str, str | bytes]] = []  # ("text", str) or (charset, bytes)
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        charset, encoding, payload = match.groups()
        data = _word_bytes(encoding, payload)
        if data is None:
            continue  # left as text below
        if between:
            joinable = pieces and pieces[-1][0] != "text" and not between.strip()
            if not joinable:
                pieces.append(("text", between))
        charset = charset.split("*", 1)[0].lower()
        if pieces and pieces[-1][0] == charset:
            pieces[-1] = (charset, pieces[-1][1] + data)  # type: ignore[operator]
        else:
            pieces.append((charset, data))
        pos = match.end()
    if pos < len(value):
        pieces.append(("text", value[pos:]))
    out = []
    for kind, content in pieces:
        if kind == "text":
            out.append(decode_raw_text(content, hint))  # type: ignore[arg-type]
        else:
            out.append(decode_bytes(content, kind).text)  # type: ignore[arg-type]
    text = "".join(out)
    text = re.sub(r"[\r\n]+[ \t]*", " ", text)  # unfold
    text = "".join(c for c in text if c == "\t" or c >= " " or c == "\u3000")
    return validators.clean_text(text).strip()
