"""한국어 검색: 조사와 흔한 어미를 떼어 "판별자가", "판별자의", "판별자를"을 한 낱말 "판별자"로 찾는다.

Sphinx에는 한국어 분리기(splitter)가 없어서 조사가 붙은 낱말이 모두 다른 낱말로 색인된다. 여기의
``SearchKorean``은 색인할 때(Python) 낱말 끝의 조사·어미를 떼고, 같은 규칙을 JavaScript ``Stemmer``로
검색 페이지에 실어 질의도 똑같이 다룬다. 규칙은 ``ENDINGS`` 한 곳에만 있고 JS 코드는 그 목록으로
만들어진다. 로마자로만 된 낱말은 Sphinx의 영어 검색과 같은 포터(Porter) 어간 추출을 거친다
("discriminators", "discriminator" → "discrimin"; Python은 snowballstemmer, JS는 Sphinx의 포터 구현).
"""

from __future__ import annotations

import json
import re

import snowballstemmer
from sphinx.application import Sphinx
from sphinx.search import SearchLanguage
from sphinx.search.en import js_porter_stemmer

# 긴 것부터 맞춰 본다. 떼고 남은 말이 두 글자 이상일 때만 뗀다("차이"의 "이"는 떼지 않는다).
ENDINGS = sorted(
    {
        # 조사
        "에서는", "에서도", "에게서", "으로는", "으로도", "으로서", "으로써", "이라는", "이라고",
        "에서", "에게", "까지", "부터", "보다", "처럼", "마다", "이나", "이란", "이라", "이며",
        "이고", "에는", "에도", "와는", "과는", "로는", "로서", "로써", "으로", "만큼", "끼리",
        "의", "가", "이", "은", "는", "을", "를", "에", "와", "과", "도", "만", "로", "란",
        # 흔한 서술 어미 (학습한다, 학습하면 → 학습)
        "하였다", "합니다", "입니다", "되었다", "했다", "한다", "하는", "하면", "하여", "해서",
        "하고", "하기", "하지", "하며", "된다", "되는", "되어", "되면", "이다", "였다", "한",
        "할", "된", "될",
    },
    key=lambda e: (-len(e), e),
)  # fmt: skip
MIN_STEM = 2
_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")
_LATIN = re.compile(r"^[a-z]+$")
_PORTER = snowballstemmer.stemmer("porter")


def stem_ko(word: str) -> str:
    """낱말 하나의 검색용 어간: 한글 낱말이면 끝의 조사·어미 하나를 떼고, 로마자 낱말이면 포터 어간, 아니면 소문자로."""
    word = word.lower()
    if _LATIN.match(word):
        return _PORTER.stemWord(word)
    if not _HANGUL.match(word):
        return word
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


JS_STEMMER = """
/* 한국어 Stemmer (_ext/search_ko.py가 만든다; Python의 stem_ko와 같은 규칙) */
var KO_ENDINGS = %(endings)s;
var KO_MIN_STEM = %(min_stem)d;
var PorterStemmer = (function () {
%(porter)s
  return Stemmer;
})();
var Stemmer = function () {
  var porter = new PorterStemmer();
  this.stemWord = function (w) {
    w = w.toLowerCase();
    if (/^[a-z]+$/.test(w)) return porter.stemWord(w);
    if (!/^[\\uac00-\\ud7a3]+$/.test(w)) return w;
    for (var i = 0; i < KO_ENDINGS.length; i++) {
      var e = KO_ENDINGS[i];
      if (w.length - e.length >= KO_MIN_STEM && w.slice(-e.length) === e) {
        return w.slice(0, w.length - e.length);
      }
    }
    return w;
  };
};
"""


class SearchKorean(SearchLanguage):
    """Sphinx 검색 언어 ``ko``: 낱말은 ``\\w+``로 나누고 ``stem_ko``로 어간을 만든다."""

    lang = "ko"
    language_name = "Korean"
    stopwords: set[str] = set()
    js_stemmer_code = JS_STEMMER % {
        "endings": json.dumps(ENDINGS, ensure_ascii=False),
        "min_stem": MIN_STEM,
        "porter": js_porter_stemmer,
    }

    def stem(self, word: str) -> str:
        return stem_ko(word)


def setup(app: Sphinx):
    app.add_search_language(SearchKorean)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
