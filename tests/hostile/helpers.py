"""Shared pieces of the hostile-input tests: the payloads, an HTML form reader that fills a
page's form with its own defaults (so each case changes only the fields under attack), and the
checks that a response neither failed nor echoed a payload unescaped."""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

# --- payloads ---------------------------------------------------------------------------------
# (id, text). Each is sent as it is; the ids make the parametrised test names readable.
PAYLOADS: list[tuple[str, str]] = [
    ("script", "<script>alert(1)</script>"),
    ("img-onerror", '"><img src=x onerror=alert(1)>'),
    ("svg-onload", "'><svg onload=alert(1)>"),
    ("js-url", "javascript:alert(document.cookie)"),
    ("a-js-href", '<a href="javascript:alert(1)">点我</a>'),
    ("textarea-break", "</textarea><script>alert(1)</script>"),
    ("style-tag", "<style>body{display:none}</style>"),
    ("django-template", "{{7*7}} {% debug %} {{ request.user.password }}"),
    ("jinja-ssti", "${7*7} #{7*7} {{config.items()}}"),
    ("sql-or", "' OR 1=1 --"),
    ("sql-drop", "'; DROP TABLE matters_matter; --"),
    ("sql-union", '1" UNION SELECT password FROM accounts_user --'),
    ("nul-byte", "前缀\x00后缀"),
    ("long-100k", "长" * 100_000),
    ("rtl-override", "合同\u202egpj.exe\u202c 文件"),
    ("emoji-4byte", "😀𠀀𝌆 四字节字符 🏛️"),
    ("crlf", "标题\r\nSet-Cookie: pwned=1\r\n\r\n<b>x</b>"),
    ("path-traversal", "../../../../etc/passwd"),
    ("zero-width-bom", "\ufeff\u200b\u200d零宽"),
    ("html-comment", "<!-- <img src=x onerror=alert(1)> -->"),
    ("iframe-encoded", "%00%0d%0a<iframe src=//evil></iframe>"),
]


def today_plus(days: int) -> str:
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


# --- reading a form -----------------------------------------------------------------------------
@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    options: dict[str, list[str]] = field(default_factory=dict)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_chosen = False
        self._select_multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""))
            self.forms.append(self._form)
            return
        f = self._form
        if f is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            f.types.setdefault(name, kind)
            if "required" in a:
                f.required.add(name)
            if kind in ("checkbox", "radio"):
                f.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    f.fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind in ("submit", "button", "image", "reset"):
                return
            else:
                f.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._select_chosen = False
            self._select_multiple = "multiple" in a
            f.types[name] = "select-multiple" if self._select_multiple else "select"
            f.options[name] = []
            if "required" in a:
                f.required.add(name)
        elif tag == "option" and self._select:
            value = a.get("value", "")
            f.options[self._select].append(value)
            if "selected" in a:
                f.fields.setdefault(self._select, []).append(value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []
            f.types[name] = "textarea"
            if "required" in a:
                f.required.add(name)

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            name = self._select
            chosen = [v for v in self._form.fields.get(name, []) if v]
            if not chosen and not self._select_multiple:
                values = [v for v in self._form.options[name] if v]
                self._form.fields[name] = values[:1] or [""]
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            text = "".join(self._text)
            self._form.fields[self._textarea] = [text.removeprefix("\n")]
            self._textarea = None


def read_form(page: str, contains: str | None = None) -> Form:
    """The page's main form: the one holding `contains` as a field, else the largest."""
    reader = _Reader()
    reader.feed(page)
    forms = [f for f in reader.forms if "csrfmiddlewaretoken" in f.fields]
    if contains:
        forms = [f for f in forms if contains in f.types] or forms
    assert forms, "no form on the page"
    return max(forms, key=lambda f: len(f.types))


def fill(form: Form, text: str = "测试内容") -> dict[str, Any]:
    """POST data from the form's own values; required blanks get a plausible value."""
    data: dict[str, Any] = {}
    for name, kind in form.types.items():
        if name == "csrfmiddlewaretoken":
            continue
        values = [v for v in form.fields.get(name, []) if v is not None]
        if kind in ("checkbox", "radio"):
            if values:
                data[name] = values if kind == "checkbox" else values[0]
            elif kind == "radio" and form.options.get(name):
                data[name] = form.options[name][0]
            continue
        if kind == "file":
            continue
        if kind == "select-multiple":
            if values:
                data[name] = values
            elif name in form.required:
                data[name] = [v for v in form.options[name] if v][:1]
            continue
        value = values[0] if values else ""
        if kind == "select":
            data[name] = value
            continue
        if not value and (name in form.required or kind in ("date", "datetime-local")):
            value = {
                "date": today_plus(30),
                "datetime-local": today_plus(30) + "T09:30",
                "number": "1",
                "email": "a@example.cn",
                "time": "09:30",
            }.get(kind, text)
        data[name] = value
    return data


# --- checks -------------------------------------------------------------------------------------
def body(response: Any) -> str:
    return response.content.decode("utf-8", "replace")


class _Live(HTMLParser):
    """Collects what a browser would run or apply: event-handler attributes, `javascript:`
    URLs, script and style elements' text, frames."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                (value or "").strip().lower().startswith("javascript:")
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "iframe":
            self.found.append("<iframe>")
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script" and "alert(" in data:
            self.found.append("<script>alert")
        if self._in == "style" and "display:none" in data:
            self.found.append("<style>display:none")


def live_markup(page: str) -> list[str]:
    parser = _Live()
    parser.feed(page)
    return parser.found


def assert_not_echoed_raw(page: str, payload: str) -> None:
    """The payload's markup never appears live: no element with an event handler, no
    `javascript:` URL, no script or style of it (the platform's pages have none of their own,
    see tests/test_shell.py); a payload holding markup or a quote never appears as it is."""
    if "<" in payload or '"' in payload:
        assert payload not in page, "payload echoed unescaped"
    found = live_markup(page)
    assert not found, f"live markup: {found}"


def shown_escaped(page: str, payload: str) -> bool:
    """The payload shows as text (escaped the way Django escapes)."""
    escaped = html.escape(payload, quote=True).replace("&#x27;", "&#x27;")
    return escaped in page or (payload in page and "<" not in payload and '"' not in payload)


def form_refused(page: str) -> bool:
    return any(m in page for m in ("invalid-feedback", "is-invalid", "errorlist", "alert-danger"))


def has_cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))
