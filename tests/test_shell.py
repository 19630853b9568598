"""The page shell: Content Security Policy, nothing loaded from another host, self-hosted
assets, Chinese by default with an English switch, and clear error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

SRC = Path(settings.PACKAGE_DIR)
TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))
OWN_ASSETS = sorted(
    p for p in SRC.rglob("static/**/*") if p.is_file() and p.suffix in {".js", ".css"}
)

pytestmark = pytest.mark.django_db


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize("path", TEMPLATES + OWN_ASSETS, ids=lambda p: str(p.relative_to(SRC)))
def test_nothing_is_loaded_from_another_host(path: Path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href|action)\s*=\s*["']\s*(https?:)?//""", text), path
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", text), path
    assert not re.search(r"@import\s+[\"']?(https?:)?//", text), path


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_templates_have_no_inline_script_style_or_handlers(path: Path):
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"<script\b([^>]*)>", text):
        attrs = match.group(1)
        assert "src=" in attrs or 'type="application/json"' in attrs, f"{path}: inline script"
    assert "<style" not in text, f"{path}: inline <style>"
    assert not re.search(r"\sstyle\s*=", text), f"{path}: style attribute"
    assert not re.search(r"\son[a-z]+\s*=", text), f"{path}: inline event handler"
    assert "hx-on" not in text, f"{path}: hx-on"
    assert "javascript:" not in text, f"{path}: javascript: URL"


def _csp(response) -> str:
    return response["Content-Security-Policy"]


def test_csp_header_is_strict_on_every_page(world, client_for):
    pages = [Client().get("/accounts/login/"), client_for("city_office").get("/")]
    for response in pages:
        policy = _csp(response)
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


def test_vendor_assets_are_served_by_the_app():
    client = Client()
    for url in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/bootstrap/css/bootstrap.min.css",
        "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
        "/static/fuyuan/app.js",
        "/static/fuyuan/app.css",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        b"".join(response.streaming_content) if response.streaming else response.content


def test_pages_reference_only_local_assets(world, client_for):
    html = client_for("city_office").get("/").content.decode()
    for ref in re.findall(r"""(?:src|href)="([^"]+)\"""", html):
        assert not ref.startswith(("http:", "https:", "//")), ref
    assert 'name="viewport"' in html
    assert "htmx-config" in html and '"allowEval": false' in html


def test_chinese_is_the_default_language_and_english_can_be_chosen(world):
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_error_pages_are_in_chinese(world, client_for):
    client = client_for("hrss_liaison")
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert "页面不存在" in not_found.content.decode()
    denied = client.get("/audit/")
    assert denied.status_code == 403
    assert "无权访问" in denied.content.decode()


def test_server_error_page_is_in_chinese(rf):
    from fuyuan.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "服务器" in response.content.decode()


def test_an_english_browser_still_gets_chinese_until_the_switch_is_used(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in client.get("/accounts/login/").content.decode()
