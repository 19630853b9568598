"""Long option lists rendered in Python (core.widgets) and the pager's page numbers
(core.templatetags.paging)."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.http import QueryDict

from fuyuan.core.templatetags.paging import page_links
from fuyuan.core.widgets import QuickSelect, QuickSelectMultiple


def test_quick_select_escapes_marks_the_choice_and_keeps_attributes() -> None:
    widget = QuickSelect(
        attrs={"class": "js-x", "id": "id_unit"},
        choices=[("", "---------"), (1, "<b>人社局</b>"), (2, '住建局 "A"')],
    )
    html = widget.render("unit", 2)
    assert html.startswith('<select name="unit" class="form-select js-x" id="id_unit">')
    assert '<option value="1">&lt;b&gt;人社局&lt;/b&gt;</option>' in html
    assert '<option value="2" selected>住建局 &quot;A&quot;</option>' in html
    assert "<b>" not in html


def test_quick_select_multiple_and_groups() -> None:
    widget = QuickSelectMultiple(
        choices=[("城区", [("a", "甲"), ("b", "乙")]), ("c", "丙")],
    )
    html = widget.render("state", ["a", "c"])
    assert " multiple" in html
    assert '<optgroup label="城区">' in html and "</optgroup>" in html
    assert '<option value="a" selected>甲</option>' in html
    assert '<option value="b">乙</option>' in html
    assert '<option value="c" selected>丙</option>' in html
    data = QueryDict("state=a&state=c")
    assert widget.value_from_datadict(data, {}, "state") == ["a", "c"]


def test_quick_select_in_a_form_validates_like_a_select() -> None:
    class F(forms.Form):
        colour = forms.ChoiceField(choices=[("red", "红"), ("blue", "蓝")], widget=QuickSelect)

    assert F({"colour": "red"}).is_valid()
    bound = F({"colour": "<script>"})
    assert not bound.is_valid()
    assert "<script>" not in str(bound["colour"])


def _page(number: int, pages: int) -> SimpleNamespace:
    return SimpleNamespace(number=number, paginator=SimpleNamespace(num_pages=pages))


def test_page_links_show_the_ends_and_three_either_side() -> None:
    assert page_links(_page(1, 1)) == [1]
    assert page_links(_page(1, 1868)) == [1, 2, 3, 4, 1868]
    assert page_links(_page(900, 1868)) == [1, 897, 898, 899, 900, 901, 902, 903, 1868]
    assert page_links(_page(1868, 1868)) == [1, 1865, 1866, 1867, 1868]
