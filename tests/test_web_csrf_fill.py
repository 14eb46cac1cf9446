"""web.auth_pages.with_csrf fills every CSRF field of a page, as the former regex did."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from web.auth_pages import with_csrf

REGEX = re.compile(r'(name="csrf_token" value=")[^"]*(")')
FIELD = '<input type="hidden" name="csrf_token" value="{}">'


def _request(token: str) -> Any:
    return SimpleNamespace(state=SimpleNamespace(csrf=token))


@pytest.mark.parametrize(
    "html",
    [
        "<p>без форм</p>",
        FIELD.format(""),
        FIELD.format("старый") + "<p>текст</p>" + FIELD.format("x"),
        "<table>" + "<tr><td>Муниципалитет</td></tr>" * 1000 + "</table>" + FIELD.format("a"),
        'name="csrf_token" value="без закрывающей кавычки',
        FIELD.format("a") + 'name="csrf_token" value="',
    ],
)
def test_same_page_as_the_regex(html: str) -> None:
    token = "Tk-123_abc"
    expected = REGEX.sub(lambda m: m.group(1) + token + m.group(2), html)
    assert with_csrf(_request(token), html) == expected


def test_every_field_gets_the_session_token() -> None:
    page = with_csrf(_request("NEW"), FIELD.format("old") * 3)
    assert page.count('value="NEW"') == 3 and "old" not in page
