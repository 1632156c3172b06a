"""저장소 전체의 약속: 모든 장이 목차에 있고, 실행된 채 커밋되었고, 설치 셀이 같고, README와 CI가 같은 명령을 쓴다."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtool  # noqa: E402

NOTEBOOKS = nbtool.chapter_notebooks()


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_every_notebook_is_in_toc_and_every_toc_entry_exists():
    toc = nbtool.toc_files()
    stems = {p.with_suffix("") for p in toc}
    for nb in NOTEBOOKS:
        assert nb.with_suffix("") in stems, f"{nb.name}이(가) _toc.yml에 없습니다"
    for entry in toc:
        assert any(entry.with_suffix(s).exists() for s in (".ipynb", ".md")), (
            f"목차의 {entry}가 없습니다"
        )


def test_chapter_files_are_numbered():
    for nb in NOTEBOOKS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", nb.name), nb.name


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_executed_without_errors(nb):
    code = [c for c in cells(nb) if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert code, "코드 셀이 없습니다"
    unexecuted = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unexecuted, f"실행되지 않은 코드 셀: {unexecuted}"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"오류 출력이 저장되어 있습니다: {errors[0].get('ename')}"
    streams = "".join("".join(o.get("text", "")) for c in code for o in c.get("outputs", []))
    assert "missing from font" not in streams, (
        "그림의 한글이 깨졌습니다: 첫 그림 전에 import gancore.plot"
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_is_canonical(nb):
    first = cells(nb)[0]
    assert first["cell_type"] == "code"
    assert "".join(first["source"]) == nbtool.setup_cell_source(), (
        "python tools/notebooks.py sync 를 실행하세요"
    )
    assert {"setup-cell", "remove-cell"} <= set(first["metadata"].get("tags", []))


@pytest.mark.parametrize(
    "nb", [p for p in NOTEBOOKS if not p.name.startswith("00")], ids=lambda p: p.name
)
def test_chapter_has_hidden_checks_and_no_todo(nb):
    cs = cells(nb)
    hidden = [
        c
        for c in cs
        if c["cell_type"] == "code"
        and "remove-cell" in c["metadata"].get("tags", [])
        and "assert" in "".join(c["source"])
    ]
    assert hidden, "결과를 단언하는 숨은 셀(remove-cell)이 없습니다"
    text = "".join("".join(c["source"]) for c in cs)
    assert "TODO" not in text and "FIXME" not in text
    assert "{exercise}" in text and "{solution}" in text, "연습문제와 풀이가 없습니다"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_display_math_blocks_stand_alone(nb):
    md = ["".join(c["source"]) for c in cells(nb) if c["cell_type"] == "markdown"]
    bad = [t[:60] for t in md if nbtool.fix_display_math(t) != t]
    assert not bad, f"$$ 블록 앞뒤에 빈 줄이 없습니다 (python tools/notebooks.py fix-math): {bad}"


# CommonMark: 닫는 ** 앞이 문장 부호(')')이고 뒤가 글자(한글 조사 등)이면 닫는 표시로 읽히지 않아 굵은 글씨가 깨진다.
# "**판별자(discriminator)**가" 대신 "**판별자**(discriminator)가"로 쓴다.
BROKEN_BOLD = re.compile(r"\*\*[^*\n]+?\)\*\*(?=[가-힣A-Za-z0-9])")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_bold_closes_before_a_particle(nb):
    md = ["".join(c["source"]) for c in cells(nb) if c["cell_type"] == "markdown"]
    bad = [m.group(0) for t in md for m in BROKEN_BOLD.finditer(t)]
    assert not bad, f"굵은 글씨가 닫히지 않습니다 (**한글**(english)로 쓰세요): {bad[:5]}"


# 붙인(glue) 값 바로 뒤의 조사: 로/으로, 가/이, 는/은, 를/을, 와/과, 였/이었은 앞 글자의 받침에 따라 갈리는데,
# 값은 다시 실행할 때마다 바뀐다 ("0.003로"는 틀리고 "0.002로"는 맞다). 그래서 값 뒤에는 받침과 상관없는 말
# (까지, 에, 입니다, 이고, 이었…)을 쓰거나 "정밀도(값)는"처럼 값을 괄호에 넣는다. 퍼센트 값(‘퍼센트’로 읽힌다)은 예외.
GLUE_PARTICLE = re.compile(
    r"\{glue(?::text)?\}`[^`:]+(?::(?P<fmt>[^`]*))?`"
    r"(?P<p>으로|로|가|은|는|을|를|과|와|였|이(?![고며다었던지어라면니]))"
)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_no_allomorphic_particle_after_a_glued_value(nb):
    md = ["".join(c["source"]) for c in cells(nb) if c["cell_type"] == "markdown"]
    bad = [
        m.group(0)
        for t in md
        for m in GLUE_PARTICLE.finditer(t)
        if not (m.group("fmt") or "").endswith("%")
    ]
    assert not bad, (
        f"붙인 값 뒤에 받침에 따라 갈리는 조사가 있습니다 (까지·에·입니다 또는 괄호로): {bad[:5]}"
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_size(nb):
    assert nb.stat().st_size < 6 * 2**20


def test_readme_and_ci_use_the_same_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    cmd = re.search(r"^TEST_CMD='(.+)'$", ci, re.M).group(1)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cmd in readme
    build = "jupyter-book build -W -n --keep-going ."
    assert build in readme and build in ci


def test_repo_url_in_one_place():
    url = nbtool.repo_url()
    assert url.startswith("https://")
    hits = [
        p
        for p in ROOT.rglob("*.py")
        if ".venv" not in p.parts and url in p.read_text(encoding="utf-8")
    ]
    assert hits == [], f"저장소 주소는 _config.yml에만 적습니다: {hits}"


def test_code_passes_ruff():
    import shutil
    import subprocess

    venv_ruff = Path(sys.executable).with_name("ruff")
    ruff = shutil.which("ruff") or (venv_ruff.exists() and str(venv_ruff))
    ruff = ruff or pytest.skip("ruff가 설치되어 있지 않습니다")
    dirs = ["gancore", "tests", "tools", "_ext"]
    # 장의 코드 셀도 lint한다 (형식은 글쓴이의 줄 나눔을 그대로 둔다)
    lint = subprocess.run([ruff, "check", *dirs, "book"], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout[-2000:]
    fmt = subprocess.run(
        [ruff, "format", "--check", *dirs], cwd=ROOT, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout[-2000:]
