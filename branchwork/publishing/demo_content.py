"""The demo portal's text: channels, a series and articles of the (fictional) Donghu Institute.

The text is in demo/portal.yaml and demo/articles.yaml beside this module; here are their shapes.
Written for this demo. People are the demo people of core/demo.py, by their keys; every place,
event and figure is invented. Dates are publication times in the deployment's time zone.
"""

from __future__ import annotations

from typing import NamedTuple

from branchwork.core.demo import read_data


class ChannelSpec(NamedTuple):
    key: str  # slug; a sub-channel's key is "parent/slug"
    title: str
    intro: str = ""
    accepts_contributions: bool = False
    title_en: str = ""
    intro_en: str = ""


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


_PORTAL = read_data(__file__, "portal.yaml")
_ARTICLES = read_data(__file__, "articles.yaml")


def _spec(cls, row: dict, lists: tuple[str, ...] = ()):
    return cls(**{k: tuple(v) if k in lists else v for k, v in row.items()})


HOME_INTRO = _PORTAL["home_intro"]
HOME_INTRO_EN = _PORTAL.get("home_intro_en", "")
CHANNELS = [_spec(ChannelSpec, row) for row in _PORTAL["channels"]]
SERIES = _PORTAL["series"]
IMAGES = [_spec(ImageSpec, row) for row in _PORTAL["images"]]
ARTICLES = [_spec(ArticleSpec, row, ("paragraphs", "tags")) for row in _ARTICLES["articles"]]
CONTRIBUTIONS = [_spec(ContributionSpec, row, ("paragraphs",)) for row in _ARTICLES["contributions"]]
