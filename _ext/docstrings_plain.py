"""부록 API 참조(book/api.md)를 위해 gancore의 독스트링을 쓴 그대로 보여 준다.

gancore의 독스트링은 reST가 아니라 평범한 글이다(`z_dim`, `|y|`, `(B, *)` 같은 표기). 그대로 reST로 읽으면
강조·치환·참조로 잘못 해석되므로, 첫 줄(요약)은 reST 특수 문자를 이스케이프한 문단으로, 나머지는 고정폭
문단(literal block)으로 바꾼다. 서명(signature)의 형식 힌트는 autodoc이 따로 보여 준다.
"""

import re

_SPECIAL = re.compile(r"([\\`*_|\[\]<>])")


def _escape(line: str) -> str:
    return _SPECIAL.sub(r"\\\1", line)


def plain_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    text = [ln.rstrip() for ln in lines]
    while text and not text[-1]:
        text.pop()
    if not text:
        return
    summary, rest = text[0], text[1:]
    while rest and not rest[0]:
        rest.pop(0)
    out = [_escape(summary)]
    if rest:
        out += ["", "::", ""] + [f"   {ln}" if ln else "" for ln in rest]
    lines[:] = out + [""]


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("autodoc-process-docstring", plain_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
