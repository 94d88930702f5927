"""Pictures of the figures, drawn on the server as SVG by pygal: the world map of the countries
engaged in a year and a party's timeline (what the office had with it, year by year).

Served as images of their own (`<img src=…svg>`): pygal styles its drawing with a `<style>`
element, which our pages' policy forbids inline; the SVG responses allow it for themselves
and carry no script (`js=[]`). Every label is set as text by pygal's XML writer (escaped);
country names come from `exchanges.countries` in the page's language.
"""

from __future__ import annotations

from collections import Counter

import pygal
from django.utils.translation import gettext as _
from pygal.etree import etree
from pygal.style import Style
from pygal_maps_world.maps import World

from branchwork.exchanges import countries

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#333333",
    foreground_strong="#222222",
    foreground_subtle="#999999",
    colors=("#b22222", "#d9822b", "#3f6e9a", "#5b8c5a"),
    font_family="'Noto Sans CJK SC', 'Noto Sans', sans-serif",
)


def _config(**extra) -> dict:
    return {"style": STYLE, "js": [], "disable_xml_declaration": False, "pretty_print": False,
            "explicit_size": False, **extra}


class _World(World):
    """pygal's world map with the countries named in the page's language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = {}
        for country in countries.current_countries():
            names[country.alpha2.lower()] = country.name
        self.area_names = {code: names.get(code, default) for code, default in World.area_names.items()}


def world_map(engaged: list[str], counts: dict[str, int] | None = None, *, title: str = "") -> bytes:
    """The countries engaged (ISO alpha-3), shaded; darker where `counts` is higher."""
    chart = _World(**_config(show_legend=False, title=title or None, width=1000, height=520))
    values = {}
    for code in engaged:
        country = countries.get(code)
        if country and country.alpha2:
            values[country.alpha2.lower()] = (counts or {}).get(code, 1)
    chart.add(str(_("Countries engaged")), values)
    return _svg(chart)


def party_timeline(entries, *, title: str = "") -> bytes:
    """Per year, how many events, delegations and visits the office had with the party,
    stacked by kind (the entries of `selectors.party_timeline` the reader may see)."""
    counts: Counter[tuple[int, str]] = Counter()
    labels: dict[str, str] = {}
    for entry in entries:
        if entry.day is None or entry.kind == "status":
            continue
        counts[(entry.day.year, entry.kind)] += 1
        labels.setdefault(entry.kind, str(entry.kind_label))
    years = sorted({year for year, _kind in counts})
    if years:
        years = list(range(years[0], years[-1] + 1))
    chart = pygal.StackedBar(**_config(title=title or None, width=800, height=300, legend_at_bottom=True,
                                       print_values=False, min_scale=1, max_scale=6,
                                       no_data_text=_("Nothing yet")))
    chart.x_labels = [str(y) for y in years]
    for kind, label in labels.items():
        chart.add(label, [counts.get((y, kind), 0) for y in years])
    return _svg(chart)


def _svg(chart) -> bytes:
    """The drawing without pygal's scripts (its configuration for tooltips, useless in an image
    and forbidden by our policy)."""
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return etree.tostring(tree, encoding="utf-8", xml_declaration=True)
