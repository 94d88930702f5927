"""The world's countries and their regions.

Codes and English names come from pycountry (ISO 3166, as Debian's iso-codes keeps it), Chinese
names from babel (the Unicode CLDR); the grouping into regions is data (`regions.yaml`, or the
file settings.EXCHANGES_REGIONS_FILE names). Records store a country as its ISO 3166 alpha-3
code, the code Party Facts and ParlGov use; codes party data uses outside ISO 3166 (Kosovo,
Somaliland, Zanzibar, historic states) are named in the regions file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
import yaml
from babel import Locale
from django.conf import settings
from django.utils.translation import get_language

from branchwork.core.language import is_chinese

DEFAULT_REGIONS = Path(__file__).resolve().parent / "regions.yaml"
OTHER = "other"


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    name_en: str
    continent: str

    @property
    def name(self) -> str:
        return self.name_zh if is_chinese(get_language()) else self.name_en


@dataclass(frozen=True)
class Country:
    alpha3: str
    alpha2: str
    name_zh: str
    name_en: str
    region: str
    historic: bool = False

    @property
    def name(self) -> str:
        return self.name_zh if is_chinese(get_language()) else self.name_en


class RegionsFileError(ValueError):
    pass


@cache
def _babel_names() -> tuple[dict[str, str], dict[str, str]]:
    return dict(Locale.parse("zh_Hans_CN").territories), dict(Locale.parse("en").territories)


def _regions_file() -> Path:
    return Path(getattr(settings, "EXCHANGES_REGIONS_FILE", "") or DEFAULT_REGIONS)


@cache
def _load(path: Path) -> tuple[dict[str, Region], dict[str, Country]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    zh, en = _babel_names()
    regions: dict[str, Region] = {}
    region_of: dict[str, str] = {}
    for entry in data.get("regions") or []:
        try:
            region = Region(entry["code"], entry["zh"], entry["en"], entry.get("continent", ""))
        except (KeyError, TypeError) as exc:
            raise RegionsFileError(f"{path}: a region lacks {exc}") from None
        regions[region.code] = region
        for alpha2 in entry.get("countries") or []:
            if alpha2 in region_of:
                raise RegionsFileError(f"{path}: {alpha2} is in {region_of[alpha2]} and {region.code}")
            region_of[alpha2] = region.code
    regions[OTHER] = Region(OTHER, "其他", "Other", "")
    countries: dict[str, Country] = {}
    for c in pycountry.countries:
        countries[c.alpha_3] = Country(
            c.alpha_3, c.alpha_2, zh.get(c.alpha_2, c.name), en.get(c.alpha_2, c.name),
            region_of.get(c.alpha_2, OTHER))
    for code, entry in (data.get("territories") or {}).items():
        alpha2 = entry.get("alpha2", "")
        region = entry.get("region") or region_of.get(alpha2, OTHER)
        if region not in regions:
            raise RegionsFileError(f"{path}: territory {code} names an unknown region {region}")
        countries[code] = Country(code, alpha2, entry["zh"], entry["en"], region,
                                  historic=alpha2 == "")
    for c in pycountry.historic_countries:
        if c.alpha_3 not in countries:
            countries[c.alpha_3] = Country(c.alpha_3, "", c.name, c.name, OTHER, historic=True)
    return regions, countries


def regions() -> dict[str, Region]:
    return _load(_regions_file())[0]


def all_countries() -> dict[str, Country]:
    """Every known code (alpha-3) → its country."""
    return _load(_regions_file())[1]


def current_countries() -> list[Country]:
    """The countries of ISO 3166 today, for choice lists (sorted by their name in the page's
    language by the caller)."""
    return [c for c in all_countries().values() if not c.historic]


def get(code: str) -> Country | None:
    return all_countries().get((code or "").upper())


def name(code: str) -> str:
    """The country's name in the page's language; the code itself when unknown."""
    country = get(code)
    return country.name if country else code


def region_of(code: str) -> Region:
    country = get(code)
    return regions()[country.region if country else OTHER]


def choices() -> list[tuple[str, str]]:
    items = [(c.alpha3, c.name) for c in current_countries()]
    return sorted(items, key=lambda item: item[1])


def by_alpha2(alpha2: str) -> Country | None:
    alpha2 = (alpha2 or "").upper()
    for country in all_countries().values():
        if country.alpha2 == alpha2 and not country.historic:
            return country
    return None
