"""Punctuation by the language shown, and paragraphs run on by their script's rules."""

from django import forms
from django.utils import translation

from branchwork.core.language import bracketed, colon, join_list, join_paragraphs


def test_chinese_and_english_punctuation():
    with translation.override("zh-hans"):
        assert (colon(), join_list(["李爱丽", "王博", ""]), bracketed("出差")) == ("：", "李爱丽、王博", "（出差）")
    with translation.override("en"):
        assert (colon(), join_list(["Li Aili", "Wang Bo"]), bracketed("away")) == (": ", "Li Aili, Wang Bo", " (away)")


def test_paragraphs_run_on_without_latin_commas_or_empty_ones():
    assert join_paragraphs(["取得阶段成果。", "调研成果交流会现场", "", "  ", "会议由李爱丽主持"]) == \
        "取得阶段成果。调研成果交流会现场。会议由李爱丽主持"
    assert join_paragraphs(["First results.", "The meeting room", "Chaired by Li"]) == \
        "First results. The meeting room. Chaired by Li"
    assert join_paragraphs(["学习 PDF", "Notes"]) == "学习 PDF. Notes"


def test_form_labels_end_with_the_colon_of_the_language():
    class F(forms.Form):
        title = forms.CharField(label="标题")

    with translation.override("zh-hans"):
        assert "标题：</label>" in str(F()["title"].label_tag())
    with translation.override("en"):
        assert "标题:</label>" in str(F()["title"].label_tag())
