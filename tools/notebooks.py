"""장(chapter) 노트북 관리 도구.

    python tools/notebooks.py sync              # 모든 장의 첫 셀(설치 셀)을 _config.yml의 저장소 주소로 다시 쓴다
    python tools/notebooks.py execute book/02_gan.ipynb [...]   # quick 모드로 실행해 결과를 저장
    python tools/notebooks.py threads book/02_gan.ipynb [...]   # nbval로 1스레드와 2스레드에서 다시 실행해 확인
    python tools/notebooks.py list              # _toc.yml에 있는 노트북
    python tools/notebooks.py from-script draft.py book/NN_slug.ipynb  # percent 스크립트 → 노트북
    python tools/notebooks.py fix-math [book/NN_slug.ipynb ...]  # $$ 블록 앞뒤에 빈 줄을 넣는다

설치 셀은 저장소 주소를 한 곳(_config.yml의 repository.url)에서 읽어 만든다.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETUP_TAG = "setup-cell"
INSTALL_ENV = "GANBOOK_INSTALL_FROM"  # 설치 셀이 저장소 대신 설치할 곳 (테스트: 이 저장소 폴더)


def repo_url() -> str:
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return cfg["repository"]["url"]


def setup_cell_source() -> str:
    """모든 장의 첫 코드 셀: gancore가 없으면(Colab 등) 저장소에서 설치한다."""
    return (
        "# 준비: gancore가 없으면(Colab 등) 책 저장소에서 설치합니다. (tools/notebooks.py sync가 쓰는 셀)\n"
        "# GANBOOK_INSTALL_FROM으로 설치할 곳(예: 내려받은 저장소 폴더)을 바꿀 수 있습니다.\n"
        "import importlib.util\n"
        "import os\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if importlib.util.find_spec("gancore") is None:\n'
        f'    src = os.environ.get("{INSTALL_ENV}", "git+{repo_url()}")\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", src], check=True)'
    )


def toc_files() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return [ROOT / f for f in files]


def chapter_notebooks() -> list[Path]:
    return sorted(p for p in (ROOT / "book").glob("*.ipynb"))


def sync(paths: list[Path]) -> None:
    src = setup_cell_source()
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        first = nb.cells[0] if nb.cells else None
        if (
            first is not None
            and first.cell_type == "code"
            and SETUP_TAG in first.metadata.get("tags", [])
        ):
            first.source = src
        else:
            cell = nbformat.v4.new_code_cell(src)
            nb.cells.insert(0, cell)
            first = cell
        first.metadata["tags"] = [SETUP_TAG, "remove-cell"]
        nbformat.write(nb, p)
        print("synced", p)


def execute(paths: list[Path], timeout: int = 1800) -> None:
    """노트북을 quick 모드(GANBOOK_MODE가 없으면)로 처음부터 실행해 출력과 함께 저장한다."""
    from nbclient import NotebookClient

    os.environ.setdefault("GANBOOK_MODE", "quick")
    for p in paths:
        t = time.time()
        nb = nbformat.read(p, as_version=4)
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(p.parent)}},
        )
        try:
            client.execute()
        finally:
            nbformat.write(nb, p)  # 실패해도 어디까지 돌았는지 볼 수 있게 저장한다
        print(f"executed {p.name} in {time.time() - t:.0f} s")


def threads(paths: list[Path], counts: tuple[int, ...] = (1, 2)) -> int:
    """장마다 nbval을 커널의 스레드 수(OMP/MKL)를 바꿔 가며 돌린다 (xdist 없이). 실패한 실행 수를 돌려준다.

    같은 시드의 학습도 스레드 수에 따라 다른 결과를 내므로, 숨은 검사의 여유는 두 경우 모두에서 맞아야 한다."""
    args = ["-q", "-p", "no:cacheprovider", "-o", "addopts=--nbval-lax --nbval-current-env"]
    failed = 0
    for p in paths:
        for n in counts:
            env = os.environ | {"OMP_NUM_THREADS": str(n), "MKL_NUM_THREADS": str(n)}
            t = time.time()
            done = subprocess.run(
                [sys.executable, "-m", "pytest", str(p), *args], env=env, cwd=ROOT
            )
            failed += done.returncode != 0
            verdict = "통과" if done.returncode == 0 else "실패"
            print(f"{p.name} 스레드 {n}: {verdict} ({time.time() - t:.0f} s)", flush=True)
    return failed


def fix_display_math(text: str) -> str:
    """`$$` 수식 블록 앞뒤에 빈 줄을 넣는다.

    MyST에서 `$$`는 문단을 끊지 못한다: 글 바로 아래 줄의 `$$ … $$`는 양옆에 `$`가 붙은
    인라인 수식으로 잘못 그려진다 (정리·증명 안에서 흔한 실수).
    """
    lines = text.split("\n")
    out: list[str] = []
    inside = False
    for i, line in enumerate(lines):
        s = line.strip()
        opens = not inside and s.startswith("$$")
        if opens and out and out[-1].strip():
            out.append("")
        out.append(line)
        if s.count("$$") % 2 == 1:
            inside = not inside
        closes = s.count("$$") and not inside
        if closes and i + 1 < len(lines) and lines[i + 1].strip():
            out.append("")
    return "\n".join(out)


def fix_math(paths: list[Path]) -> None:
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        changed = False
        for c in nb.cells:
            if c.cell_type == "markdown":
                new = fix_display_math(c.source)
                changed |= new != c.source
                c.source = new
        if changed:
            nbformat.write(nb, p)
            print("fixed", p)


def from_script(src: Path, out: Path) -> None:
    """jupytext percent 형식(# %%, # %% [markdown]) 스크립트를 노트북으로 바꾼다 (집필용)."""
    import jupytext

    nb = jupytext.read(src)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata.pop("jupytext", None)
    nbformat.write(nb, out)
    sync([out])


if __name__ == "__main__":
    cmd, *args = sys.argv[1:] or ["list"]
    paths = [Path(a).resolve() for a in args]
    if cmd == "sync":
        sync(paths or chapter_notebooks())
    elif cmd == "execute":
        execute(paths)
    elif cmd == "threads":
        sys.exit(1 if threads(paths or chapter_notebooks()) else 0)
    elif cmd == "fix-math":
        fix_math(paths or chapter_notebooks())
    elif cmd == "from-script":
        from_script(paths[0], paths[1])
    elif cmd == "list":
        print("\n".join(str(p.relative_to(ROOT)) for p in toc_files()))
    else:
        sys.exit(__doc__)
