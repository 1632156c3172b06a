"""용어 통일: 용어집의 '쓰지 않는 말'이 책(장, 페이지, gancore의 메시지와 독스트링, README) 어디에도 없다."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "book" / "glossary.md"


def rejected_terms() -> dict[str, str]:
    """용어집의 '## 쓰지 않는 말' 표: {쓰지 않는 말: 대신 쓰는 말}."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## 쓰지 않는 말", 1)[1]
    rows = re.findall(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*$", section, re.M)
    return {bad: good for bad, good in rows if not set(bad) <= set("-: ") and bad != "쓰지 않는 말"}


def book_texts():
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for i, c in enumerate(cells):
            yield f"{nb.name} 셀 {i}", "".join(c["source"])
            for o in c.get("outputs", []):
                text = o.get("text") or o.get("data", {}).get("text/plain", "")
                yield f"{nb.name} 셀 {i} 출력", "".join(text)
    for p in [*(ROOT / "book").glob("*.md"), ROOT / "README.md", ROOT / "AUTHORING.md"]:
        yield p.name, p.read_text(encoding="utf-8")
    for p in sorted((ROOT / "gancore").rglob("*.py")):
        yield str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")


def test_glossary_lists_rejected_terms():
    terms = rejected_terms()
    assert "발전기" in terms and terms["발전기"] == "생성자"
    assert len(terms) >= 5


def test_rejected_terms_appear_nowhere():
    terms = rejected_terms()
    hits = []
    for where, text in book_texts():
        if where == GLOSSARY.name:
            text = text.split("## 쓰지 않는 말", 1)[0]
        for bad, good in terms.items():
            if bad in text:
                hits.append(f"{where}: '{bad}' → '{good}'")
    assert not hits, "용어집이 쓰지 않는 말:\n" + "\n".join(hits[:20])
