"""학생용 노트북(tools/student.py): 풀이가 빠지고, 연습 코드 셀이 비고, 연습문제 앞까지 실행된다."""

import base64
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import student  # noqa: E402

LIGHT = ROOT / "book" / "01_distances.ipynb"  # 가장 가벼운 장


def test_strip_solutions_keeps_exercise_and_text():
    text = (
        "## 연습문제\n\n:::{exercise}\n:label: chXX-ex1\n문제.\n:::\n\n"
        ":::{solution} chXX-ex1\n:class: dropdown\n풀이 $x$.\n:::\n\n"
        "````{solution} chXX-ex1\n```python\nprint(1)\n```\n````\n\n끝."
    )
    out = student.strip_solutions(text)
    assert "{exercise}" in out and "문제." in out and "끝." in out
    assert "solution" not in out and "풀이" not in out and "print(1)" not in out


def test_exercise_code_cell_is_emptied_with_expected_picture():
    png = base64.b64encode(b"\x89PNG fake").decode()
    cell = nbformat.v4.new_code_cell("answer = 42\nplot(answer)")
    cell.metadata["tags"] = [student.EXERCISE_TAG]
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png})]
    other = nbformat.v4.new_code_cell("x = 1")
    other.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    other.execution_count = 3
    nb = nbformat.v4.new_notebook(cells=[other, cell])
    out = student.student_version(nb)
    assert [c.cell_type for c in out.cells] == ["code", "code", "markdown"]
    assert out.cells[0].source == "x = 1" and out.cells[0].outputs == []
    assert out.cells[0].execution_count is None
    assert "answer" not in out.cells[1].source and out.cells[1].source == student.STUB
    assert "attachment:expected0.png" in out.cells[2].source
    assert out.cells[2].attachments["expected0.png"]["image/png"] == png
    nbformat.validate(out)


def test_every_chapter_has_a_student_version_without_solutions(tmp_path):
    from notebooks import chapter_notebooks

    written = student.write_student(chapter_notebooks(), tmp_path)
    for p in written:
        nb = nbformat.read(p, as_version=4)
        nbformat.validate(nb)
        md = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "{solution}" not in md, p.name
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), p.name


def test_student_notebook_executes_up_to_the_exercises(tmp_path):
    from nbclient import NotebookClient

    (path,) = student.write_student([LIGHT], tmp_path)
    nb = nbformat.read(path, as_version=4)
    cut = next(
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and re.search(r"^#+\s*연습문제", c.source, re.M)
    )
    nb.cells = nb.cells[:cut]
    assert sum(c.cell_type == "code" for c in nb.cells) >= 5
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
