"""새 사용자처럼: gancore가 없는 새 가상 환경에서 한 장을 처음부터 끝까지 실행한다.

새 환경은 무거운 의존성(torch 등)만 이 저장소의 ``.venv``에서 빌려 쓴다(``.pth``로 경로만 더함; 그
``.venv``의 편집 가능 설치는 새 환경에서 보이지 않는다). 장의 첫 셀(설치 셀)이 gancore가 없음을 보고
``GANBOOK_INSTALL_FROM``이 가리키는 이 저장소의 복사본에서 설치한다 — Colab에서 저장소 주소로 설치하는 것과
같은 길이다. 2코어 CPU에서 1–3분.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtool  # noqa: E402

CHAPTER = ROOT / "book" / "01_distances.ipynb"  # 가장 가벼운 장


@pytest.mark.slow
def test_chapter_runs_in_a_fresh_venv_installing_gancore(tmp_path):
    env_dir = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    py = env_dir / "bin" / "python"
    fresh_site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # 의존성만 빌린다: 이 환경의 site-packages 경로를 .pth로 (그 안의 .pth — gancore 편집 설치 — 는 읽히지 않는다)
    borrowed = sysconfig.get_paths()["purelib"]
    Path(fresh_site, "borrowed_deps.pth").write_text(borrowed + "\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    probe = subprocess.run(
        [py, "-c", "import importlib.util as u; print(u.find_spec('gancore'), u.find_spec('torch') is not None)"],
        capture_output=True, text=True, cwd=work, check=True,
    ).stdout.split()  # fmt: skip
    assert probe == ["None", "True"], f"새 환경에 gancore가 이미 보입니다: {probe}"

    # 설치할 곳: 저장소의 복사본 (저장소 폴더에 build/가 생기지 않게)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, checkout / name)
    shutil.copytree(
        ROOT / "gancore", checkout / "gancore", ignore=shutil.ignore_patterns("__pycache__")
    )
    nb = work / CHAPTER.name
    shutil.copy(CHAPTER, nb)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update(
        {
            nbtool.INSTALL_ENV: str(checkout),
            "GANBOOK_MODE": "quick",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONPATH": "",
            "JUPYTER_PATH": str(env_dir / "share" / "jupyter"),
        }
    )
    # pip: 새 환경에는 pip가 없으므로 빌려 온 pip를 쓴다 (설치 셀은 sys.executable -m pip를 부른다)
    script = textwrap.dedent(f"""
        import nbformat
        from nbclient import NotebookClient
        nb = nbformat.read({str(nb)!r}, as_version=4)
        assert nb.cells[0].source == {nbtool.setup_cell_source()!r}, "설치 셀이 tools/notebooks.py와 다릅니다"
        NotebookClient(nb, timeout=900, kernel_name="python3",
                       resources={{"metadata": {{"path": {str(work)!r}}}}}).execute()
        import importlib.util, subprocess, sys
        out = subprocess.run([sys.executable, "-c", "import gancore; print(gancore.__file__)"],
                             capture_output=True, text=True, check=True).stdout
        print("GANCORE", out.strip())
    """)
    done = subprocess.run(
        [py, "-c", script], capture_output=True, text=True, cwd=work, env=env, timeout=1200
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    where = done.stdout.split("GANCORE", 1)[1].strip()
    assert where.startswith(str(env_dir)), f"gancore가 새 환경에 설치되지 않았습니다: {where}"
