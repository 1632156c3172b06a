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


# --- tools/full_check.py: full 모드 점검 ------------------------------------------------------


def test_full_check_runs_a_family_and_records_it(tmp_path):
    """CPU에서 DCGAN의 FULL 레시피를 6단계: 단계당 시간 × FULL의 단계 수가 어림 시간, 기록은 JSON에."""
    import json

    import full_check as fc

    from gancore.models import dcgan

    out = tmp_path / "fc.json"
    (row,) = fc.main(["--only", "dcgan", "--steps", "6", "--json", str(out)])
    assert row["family"] == "dcgan" and row["full_steps"] == dcgan.FULL.cfg.steps
    (ms,) = row["ms_per_step"]
    assert ms > 0 and abs(row["full_minutes"] - ms * dcgan.FULL.cfg.steps / 60_000) < 0.1
    assert row["peak_gib"] is None  # CPU: GPU 메모리 없음
    assert row["note"].startswith("classifier-FID")  # 학습 뒤 평가를 불렀다
    rec = json.loads(out.read_text())
    assert rec["info"]["steps"] == 6 and rec["info"]["mode"] == "quick" and rec["rows"] == [row]


def test_full_check_step_timer_splits_runs_and_skips_warmup():
    import full_check as fc

    t = fc.StepTimer()
    t.marks = [(1, 0.0), (2, 1.0), (3, 1.5), (1, 9.0), (2, 9.25), (3, 9.5)]  # run 두 번
    assert t.groups() == [[1.0, 0.5], [0.25, 0.25]]  # run 사이의 간격은 세지 않는다
    assert fc._ms([9.0, 9.0, 9.0, 1.0, 2.0, 3.0]) == 2000.0  # 처음 세 간격을 뺀 중앙값
    assert [fc.duration(m) for m in (2.14, 23.6, 371.7, 1766.2, 24090.0)] == [
        "2.1분",
        "24분",
        "6.2시간",
        "1.2일",
        "17일",
    ]


def test_full_check_rejects_bad_input():
    import full_check as fc
    import pytest

    from gancore.errors import GanBookError

    with pytest.raises(GanBookError, match=r"알 수 없는 모델 가족\(family\) 이름.*'sngan'.*singan"):
        fc.main(["--only", "dcgan,sngan"])
    with pytest.raises(GanBookError, match="--steps"):
        fc.main(["--steps", "3"])


def test_running_appendix_shows_the_full_check_records():
    """부록의 표는 tools/records의 두 기록에서 만든 그대로이고, 그 옆 문장은 기록이 보이는 것이다."""
    import json
    import re

    import full_check as fc

    gpu, cpu = (json.loads((fc.RECORDS / f).read_text()) for f in fc.RECORD_FILES)
    running = (ROOT / "book" / "running.md").read_text(encoding="utf-8")
    assert fc.doc_table(gpu, cpu) in running
    assert (
        {r["family"] for r in gpu["rows"]} == set(fc.CHECKS) == {r["family"] for r in cpu["rows"]}
    )
    assert not any("error" in r for r in gpu["rows"] + cpu["rows"])
    assert gpu["info"]["device"] == "cuda" and gpu["info"]["mode"] == "full"
    assert "NVIDIA H200" in (fc.RECORDS / "full_check_h200_steps30.log").read_text()
    # "50단계로 다시 잰 기록과 견주면 DCGAN, Pix2Pix는 40% 안팎, 나머지는 15% 안"
    log50 = (fc.RECORDS / "full_check_h200_steps50.log").read_text()
    again = {
        m[0]: float(m[1])
        for m in re.findall(r"^\| \d+ \| (\w+) \| [\d,]+ \| [^|]+ \| ([\d.]+) \|", log50, re.M)
    }
    change = {r["family"]: abs(again[r["family"]] / r["full_minutes"] - 1) for r in gpu["rows"]}
    assert all(0.3 < change[f] < 0.5 for f in ("dcgan", "pix2pix")), change
    assert all(v < 0.15 for f, v in change.items() if f not in ("dcgan", "pix2pix")), change
    # 본문: "가장 큰 PGGAN과 SinGAN", README: "up to 8.8 GiB"
    peaks = sorted(gpu["rows"], key=lambda r: r["peak_gib"])
    assert {peaks[-1]["family"], peaks[-2]["family"]} == {"pggan", "singan"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"up to {peaks[-1]['peak_gib']:.1f} GiB" in readme
    # "CPU에서는 5장과 9장 말고는 주 학습 하나에 몇 시간에서 몇 주"
    slow = [r["full_minutes"] for r in cpu["rows"] if r["family"] not in ("dcgan", "pix2pix")]
    assert min(slow) >= 3 * 60 and max(slow) > 14 * 24 * 60
