"""tools/notebooks.py: 설치 셀 동기화와 스크립트→노트북 변환."""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtool  # noqa: E402


def test_setup_cell_uses_config_url():
    src = nbtool.setup_cell_source()
    assert f"git+{nbtool.repo_url()}" in src and 'find_spec("gancore")' in src
    compile(src, "setup", "exec")


def test_from_script_and_sync_are_idempotent(tmp_path):
    script = tmp_path / "draft.py"
    script.write_text("# %% [markdown]\n# # 제목\n\n# %%\nprint(1 + 1)\n", encoding="utf-8")
    out = tmp_path / "99_test.ipynb"
    nbtool.from_script(script, out)
    nb = nbformat.read(out, as_version=4)
    assert [c.cell_type for c in nb.cells] == ["code", "markdown", "code"]
    assert nb.cells[0].source == nbtool.setup_cell_source()
    nbtool.sync([out])
    nb2 = nbformat.read(out, as_version=4)
    assert len(nb2.cells) == 3 and nb2.cells[0].metadata["tags"] == ["setup-cell", "remove-cell"]


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_execute_runs_and_saves(tmp_path):
    p = _notebook(tmp_path / "t.ipynb", "x = 6 * 7\nprint(x)")
    nbtool.execute([p])
    out = nbformat.read(p, as_version=4).cells[0]
    assert out.execution_count == 1 and out.outputs[0]["text"] == "42\n"


def test_threads_runs_nbval_at_each_thread_count(tmp_path, capsys):
    """`threads`는 커널의 스레드 수를 정말 바꾼다: 스레드 수를 되찾아 적는 노트북은 1과 2에서 통과하고,
    2스레드에서만 실패하는 검사는 한 번 실패로 센다."""
    seen = tmp_path / "seen.txt"
    src = f"import os, torch\nopen({str(seen)!r}, 'a').write(str(torch.get_num_threads()))"
    assert nbtool.threads([_notebook(tmp_path / "ok.ipynb", src)]) == 0
    assert seen.read_text() == "12"
    bad = _notebook(tmp_path / "bad.ipynb", "import torch\nassert torch.get_num_threads() == 1")
    assert nbtool.threads([bad]) == 1
    out = capsys.readouterr().out
    assert "bad.ipynb 스레드 1: 통과" in out and "bad.ipynb 스레드 2: 실패" in out


def test_fix_display_math_separates_blocks_and_is_idempotent():
    text = "판별자는\n$$ D = 1 $$\n이다.\n\n$$\na\n$$\n\n이므로\n$$\nC = 2\n$$ (eq-x)\n다음"
    fixed = nbtool.fix_display_math(text)
    assert fixed == (
        "판별자는\n\n$$ D = 1 $$\n\n이다.\n\n$$\na\n$$\n\n이므로\n\n$$\nC = 2\n$$ (eq-x)\n\n다음"
    )
    assert nbtool.fix_display_math(fixed) == fixed
    assert nbtool.fix_display_math("인라인 $x$만 있는 문단") == "인라인 $x$만 있는 문단"


def test_pretrain_dcgan_dry_run_writes_a_loadable_checkpoint():
    """tools/pretrain_dcgan.py --dry-run: full 레시피로 3단계, 명령·설정이 기록된 체크포인트를 /tmp에."""
    import pretrain_dcgan
    import torch

    from gancore.models import dcgan

    path = pretrain_dcgan.main(["pretrain", "--dry-run", "--threads", "1"])
    G, info = dcgan.pretrained(path)
    assert info["config"]["steps"] == 3 and info["config"]["lr_g"] == dcgan.FULL.cfg.lr_g
    assert (
        info["extra"]["command"] == "python tools/pretrain_dcgan.py pretrain --dry-run --threads 1"
    )
    assert info["extra"]["split"] == "train" and info["extra"]["n_eval"] == 1000  # 책의 평가 규약
    assert G(torch.zeros(2, G.z_dim)).shape == (2, 1, 28, 28)
