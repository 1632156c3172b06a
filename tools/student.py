"""학생용 노트북을 만든다: 풀이를 빼고, 표시된 연습 코드 셀을 비우고, 출력을 지운다.

    python tools/student.py                    # 모든 장 → _build/student/NN_slug.ipynb
    python tools/student.py book/02_gan.ipynb  # 한 장만
    python tools/student.py --out 폴더 [장 ...]

- 마크다운의 ``:::{solution} …`` ~ ``:::`` 블록(과 백틱 ```` ```{solution} ```` 블록)을 지운다.
- 태그 ``exercise-code``가 붙은 코드 셀은 비우고(안내 주석만 남김), 그 셀의 그림 출력을 "기대하는 결과"
  마크다운 셀(그림 첨부)로 바로 아래에 둔다.
- 나머지 코드 셀의 출력과 실행 번호를 지운다(학생이 직접 실행한다). 첫 설치 셀과 숨은 셀은 그대로 둔다.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtool  # noqa: E402

EXERCISE_TAG = "exercise-code"
STUB = "# 연습: 여기에 코드를 쓰세요. 아래 '기대하는 결과'와 비슷한 출력이 나오면 됩니다.\n"
OUT_DIR = ROOT / "_build" / "student"

_FENCE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{solution\}.*$")


def strip_solutions(text: str) -> str:
    """``{solution}`` 블록(콜론 또는 백틱 울타리)을 지운다. 울타리 길이로 짝을 맞춘다."""
    out: list[str] = []
    closing: str | None = None
    for line in text.split("\n"):
        if closing is None:
            m = _FENCE.match(line.strip())
            if m:
                closing = m.group("fence")
                continue
            out.append(line)
        elif line.strip() == closing:
            closing = None
    cleaned = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip("\n")


def _expected_output_cell(cell) -> nbformat.NotebookNode | None:
    images = [
        o["data"]["image/png"]
        for o in cell.get("outputs", [])
        if o.get("output_type") in ("display_data", "execute_result")
        and "image/png" in o.get("data", {})
    ]
    if not images:
        return None
    md = nbformat.v4.new_markdown_cell("**기대하는 결과**\n\n")
    md.attachments = {}
    for i, png in enumerate(images):
        name = f"expected{i}.png"
        md.attachments[name] = {"image/png": png}
        md.source += f"![기대하는 결과](attachment:{name})\n"
    return md


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = strip_solutions(cell.source)
            if text.strip():
                new = nbformat.v4.new_markdown_cell(text, metadata=cell.metadata)
                if cell.get("attachments"):
                    new.attachments = cell.attachments
                out.cells.append(new)
        elif cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            if EXERCISE_TAG in tags:
                out.cells.append(nbformat.v4.new_code_cell(STUB, metadata=cell.metadata))
                expected = _expected_output_cell(cell)
                if expected is not None:
                    out.cells.append(expected)
            else:
                out.cells.append(nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata))
        else:
            out.cells.append(cell)
    for c in out.cells:
        c.metadata.pop("execution", None)
    return out


def write_student(paths: list[Path], out_dir: Path = OUT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        dest = out_dir / p.name
        nbformat.write(student_version(nb), dest)
        written.append(dest)
        print("student", dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest)
    return written


if __name__ == "__main__":
    args = sys.argv[1:]
    out = OUT_DIR
    if args[:1] == ["--out"]:
        out, args = Path(args[1]).resolve(), args[2:]
    chapters = [Path(a).resolve() for a in args] or nbtool.chapter_notebooks()
    write_student(chapters, out)
