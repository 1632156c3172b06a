"""용어집 검사: 장의 본문이 굵게 쓰거나 "한글(English)"로 소개한 용어는 모두 book/glossary.md에 있다.

- 굵은 글씨(**…**): 용어로 보는 것은 한글이 든 짧은 구(네 낱말 이하)다. 문장(마침표·쌍점·물음표로 끝나거나
  '-다'로 끝나는 것), 수식·숫자가 든 것은 강조이지 용어가 아니므로 건너뛴다. 괄호가 있으면 괄호 앞의 한글만 본다.
- 괄호 풀이: 한글 바로 뒤의 괄호 안이 소문자 영어 낱말뿐일 때(예: 받침(support)) 그 앞의 한글 구를 본다.
  약어(VAE), 사람 이름(Goodfellow), 인용(…, 2016)은 용어 풀이가 아니므로 건너뛴다.
- 한글 구의 마지막 네 낱말 안에 용어집의 용어가 들어 있으면 통과한다(예: "명시적 밀도 모델" ⊃ "명시적 밀도").
  그렇지 않으면 용어집에 더하거나, 용어가 아닌 강조라면 아래 ALLOWED에 이유와 함께 적는다.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

# 용어가 아닌 굵은 글씨·괄호 (장 번호 두 자리, 구): 이유
ALLOWED: dict[tuple[str, str], str] = {
    ("*", "학습 목표"): "모든 장의 머리 소제목",
    ("*", "선수 지식"): "모든 장의 머리 소제목",
    ("00", "직접 돌려 보며"): "강조",
    ("00", "숫자로"): "강조",
    ("00", "각 장 위쪽의 로켓 모양의 실행"): "화면의 버튼 이름 (launch)",
    ("00", "부록"): "목차의 부 이름",
    ("01", "비대칭"): "강조 (KL의 성질)",
    ("01", "무한대"): "강조 (KL의 값)",
    ("01", "받침이 겹치지 않을 때"): "강조 (받침은 용어집에 있다)",
    ("01", "얼마나 멀리"): "강조",
    ("01", "같은 폭으로 옮기면"): "표 읽기의 머리말",
    ("01", "이동"): "위젯의 매개변수 이름 (shift)",
    ("02", "확신 비율"): "평가 규약의 지표 이름 (2장에서 정의)",
    ("02", "클래스 히스토그램"): "평가 규약의 지표 이름 (2장에서 정의)",
    ("02", "게임"): "강조 (최적화가 아니라 게임)",
    ("02", "번갈아"): "강조 (교대 갱신은 용어집에 있다)",
    ("03", "하나"): "강조",
    ("03", "두 선수의 균형"): "강조",
    ("03", "생성자 파라미터에 대한"): "강조",
    ("03", "평균 내기"): "요령 이름 (아래 글의 소제목 구실)",
    ("03", "배경의 열지도"): "그림 설명의 머리말",
    ("03", "주황 점"): "그림 설명의 머리말",
    ("03", "회색 점"): "그림 설명의 머리말",
    ("03", "검은 화살표"): "그림 설명의 머리말",
    ("04", "같은 레이블"): "강조",
    ("04", "그 이미지의 레이블"): "강조",
    ("04", "레이블을 부호화해 입력에 이어 붙이는"): "강조 (설명 구)",
    ("04", "이 내용"): "강조",
    ("04", "클래스마다 다른 편향"): "강조 (설명 구)",
    ("04", "학습 데이터에는 이미지마다 레이블"): "강조 (설명 구)",
    ("04", "행"): "격자의 행 (일상어)",
    ("04", "열"): "격자의 열 (일상어)",
    ("05", "속도 표"): "표 이름",
    ("05", "속성 더하기"): "위젯 이름",
    ("06", "같은 축척"): "그림 읽기의 강조",
    ("06", "거리의 제곱"): "강조",
    ("06", "먼 가짜"): "강조",
    ("07", "같은 것"): "강조",
    ("07", "다른 것"): "강조",
    ("07", "아래쪽 어림"): "강조 (하한의 풀이)",
    ("07", "조금 과대 추정"): "강조",
    ("07", "추정값과 립시츠 상수"): "표 읽기의 머리말",
    ("07", "층별 기울기 크기"): "그림 이름",
    ("09", "그래도 출력은 거의 결정적"): "강조 (문장 조각)",
    ("09", "모두 입력 이미지  와 출력 이미지  가 짝"): "강조 (수식이 빠진 문장 조각)",
    ("09", "이웃 화소 차이의 제곱 평균"): "선명도의 정의를 강조",
}

HANGUL = re.compile(r"[가-힣]")
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
GLOSS = re.compile(r"([가-힣][가-힣0-9\-· ]*?)\s?\(([a-z][a-z' \-–]*[a-z])\)(\s?[가-힣]+)?")


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def glossary_terms() -> set[str]:
    """용어집 표의 첫 열에서 용어를 뽑는다: 쉼표로 나누고, 'A/B C'는 'A C'와 'B C'로 편다."""
    terms: set[str] = set()
    for line in (BOOK / "glossary.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        first = line.strip("|").split("|")[0]
        first = re.sub(r"\(.*?\)", "", first)
        for part in re.split(r"[,，]", first):
            part = part.strip()
            if not part:
                continue
            words = part.split()
            if words and "/" in words[0]:
                for alt in words[0].split("/"):
                    terms.add(_norm(" ".join([alt, *words[1:]])))
            else:
                for alt in part.split("/"):
                    terms.add(_norm(alt))
    return terms


def _markdown(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    text = re.sub(
        r"\$\$.*?\$\$(\s*\(eq-[\w-]+\))?", " ", text, flags=re.S
    )  # 수식 블록과 그 레이블은 보지 않는다
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"\s*\n\s*", " ", text)  # 줄바꿈으로 끊긴 구를 잇는다


def _is_term(bold: str) -> bool:
    s = bold.strip()
    if not HANGUL.search(s) or "$" in s or re.search(r"[0-9]", s.split("(")[0]):
        return False
    if s[-1] in ".:?!" or s.endswith("다"):
        return False
    return len(s.split("(")[0].split()) <= 4


def used_terms() -> list[tuple[str, str]]:
    """(장 번호, 한글 구) 목록: 굵은 용어와 괄호로 영어를 붙인 용어."""
    out = []
    for p in sorted(BOOK.glob("*.ipynb")):
        ch, text = p.name[:2], _markdown(p)
        for m in BOLD.finditer(text):
            if _is_term(m.group(1)):
                out.append((ch, re.sub(r"\s+", " ", re.sub(r"\(.*?\)", "", m.group(1))).strip()))
        for m in GLOSS.finditer(re.sub(r"\$[^$]*\$", " ", text)):  # 괄호 풀이는 인라인 수식을 빼고
            out.append((ch, m.group(1).strip() + ("|" + m.group(3).strip() if m.group(3) else "")))
    return out


def _known(ch: str, phrase: str, terms: set[str]) -> bool:
    """phrase: 한글 구, 괄호 풀이면 '구|괄호 뒤 낱말' (예: '동시|갱신' ← 동시(simultaneous) 갱신)."""
    head, _, after = phrase.partition("|")
    if (ch, head) in ALLOWED or ("*", head) in ALLOWED:
        return True
    tails = [_norm(" ".join(head.split()[-4:]))]
    if after:
        tails.append(_norm(" ".join([*head.split()[-3:], after])))
    return any(t and t in tail for t in terms for tail in tails)


def test_glossary_parses():
    terms = glossary_terms()
    for t in ("생성자", "판별자", "포화손실", "비포화손실", "명시적밀도", "암묵적밀도", "잠재공간"):
        assert t in terms, t


def test_allow_list_entries_are_used():
    used = set(used_terms())
    for ch, phrase in ALLOWED:
        heads = {(c, p.partition("|")[0]) for c, p in used}
        assert ch == "*" or (ch, phrase) in heads, f"쓰이지 않는 ALLOWED 항목: {ch} {phrase}"


@pytest.mark.parametrize("ch", sorted({p.name[:2] for p in BOOK.glob("*.ipynb")}))
def test_chapter_terms_are_in_glossary(ch):
    terms = glossary_terms()
    missing = sorted(
        {p.partition("|")[0] for c, p in used_terms() if c == ch and not _known(c, p, terms)}
    )
    assert not missing, f"{ch}장: 용어집(book/glossary.md)에 없는 용어 {missing}"


def test_detector_finds_terms():
    text = "분포가 0이 아닌 점들의 **받침(support)** 이고, 모드 추구(mode-seeking)는"
    assert [m.group(1) for m in BOLD.finditer(text)] == ["받침(support)"]
    assert [m.group(1).strip() for m in GLOSS.finditer(text)][-1].endswith("모드 추구")
    terms = {"동시갱신", "받침"}
    assert (
        _known("99", "동시|갱신", terms)
        and _known("99", "분포의 받침", terms)
        and not _known("99", "교대|갱신", terms)
    )
    assert not _is_term("KL은 비대칭입니다.") and _is_term("받침(support)")
