"""full 모드 점검: 모델 가족마다 FULL 레시피를 지금 장치(GPU가 있으면 GPU)에서 몇 단계만 학습해 본다.

    python tools/full_check.py                       # 모든 가족, 가족마다 30단계
    python tools/full_check.py --only singan,pggan --steps 20 --json out.json

가족마다 하는 일: FULL 레시피 그대로(단계 수만 줄여) 장이 쓰는 데이터로 그 가족의 학습 함수를 부른다 → 손실이
유한한지 확인(`train.run`이 log 단계마다 검사) → 단계당 시간(처음 몇 단계를 뺀 중앙값) → 최대 GPU 메모리 →
장이 학습 뒤에 부르는 생성·평가 함수를 한 번 부른다 (장치가 섞이는 실수를 잡는다). FULL 전체의 시간은
"단계당 시간 × FULL의 단계 수"로 어림한다 (PGGAN은 해상도마다, SinGAN은 척도마다 따로 재서 더한다).
1–8장의 학습 셀은 full 설정을 장 안에 적으므로 여기서 돌지 않는다.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import gancore as gc  # noqa: E402
from gancore.errors import GanBookError, unknown_name  # noqa: E402

WARMUP = 3  # 단계당 시간에서 빼는 처음 단계 수 (cuDNN 알고리즘 고르기, 첫 할당)


class StepTimer:
    """단계마다 (동기화한 뒤) 시각을 적는 콜백. 여러 `run`에 이어 쓰면 group()으로 나눈다."""

    def __init__(self):
        self.marks: list[tuple[int, float]] = []

    def __call__(self, state) -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self.marks.append((state.step, time.perf_counter()))

    def groups(self) -> list[list[float]]:
        """`run` 하나(state.step이 1로 돌아간 곳에서 나눈다)마다 단계 사이 간격(초)의 목록."""
        out: list[list[float]] = []
        prev = None
        for step, t in self.marks:
            if step == 1 or prev is None:
                out.append([])
            else:
                out[-1].append(t - prev)
            prev = t
        return out


def _ms(gaps: list[float]) -> float:
    """처음 WARMUP 간격을 뺀 중앙값 (ms). 간격이 WARMUP개뿐이면(--steps = WARMUP + 1) 모두의 중앙값."""
    kept = gaps[WARMUP:] or gaps
    return 1000 * statistics.median(kept)


def _short(cfg, steps: int):
    return replace(cfg, steps=steps, log_every=min(cfg.log_every, 10))


def check_dcgan(steps: int) -> dict:
    from gancore.models import dcgan

    rec = dcgan.FULL
    cfg, t = _short(rec.cfg, steps), StepTimer()
    G, D = rec.build()
    data = gc.data.load("mnist5k", split=gc.metrics.TRAIN_SPLIT, batch_size=cfg.batch_size)
    h = gc.train.fit(G, D, data, cfg, loss=rec.loss, callbacks=[t], progress=False)
    m = gc.metrics.evaluate_generator(h.g_ema.module, cfg.z_dim)
    return _row(
        5, "dcgan", [(rec.cfg.steps, _ms(t.groups()[0]))], f"classifier-FID {m['cfid']:.0f}"
    )


def check_pix2pix(steps: int) -> dict:
    from gancore.models import pix2pix

    rec = pix2pix.FULL
    rec, t = replace(rec, cfg=_short(rec.cfg, steps)), StepTimer()
    train = gc.data.load_paired(
        "skeleton2digit", gc.metrics.TRAIN_SPLIT, batch_size=rec.cfg.batch_size
    )
    test = gc.data.load_paired("skeleton2digit", gc.metrics.REFERENCE_SPLIT)
    G, D = rec.build()
    pix2pix.fit(G, D, train, rec, callbacks=[t], progress=False)
    m = pix2pix.evaluate(G, test)
    return _row(9, "pix2pix", [(pix2pix.FULL.cfg.steps, _ms(t.groups()[0]))], f"평가 키 {len(m)}개")


def _check_cycle(full, name: str, steps: int) -> dict:
    from gancore.models import cyclegan as cg

    rec, t = replace(full, cfg=_short(full.cfg, steps)), StepTimer()
    train = gc.data.load_unpaired("thin2thick", split="train", batch_size=rec.cfg.batch_size)
    test = gc.data.load_unpaired("thin2thick", split="test")
    G, F, D_X, D_Y = rec.build()
    cg.fit(G, F, D_X, D_Y, train, rec, callbacks=[t], progress=False)
    err = cg.cycle_error(G, F, test.x)
    return _row(10, name, [(full.cfg.steps, _ms(t.groups()[0]))], f"순환 오차 {err:.3f}")


def check_cyclegan(steps: int) -> dict:
    from gancore.models import cyclegan as cg

    return _check_cycle(cg.FULL, "cyclegan", steps)


def check_discogan(steps: int) -> dict:
    from gancore.models import cyclegan as cg

    return _check_cycle(cg.DISCO_FULL, "discogan", steps)


def check_stargan(steps: int) -> dict:
    from gancore.models import stargan

    rec, t = replace(stargan.FULL, cfg=_short(stargan.FULL.cfg, steps)), StepTimer()
    train = gc.data.load_domains(split=gc.metrics.TRAIN_SPLIT, batch_size=rec.cfg.batch_size)
    G, D = rec.build(len(train.meta["domains"]))
    stargan.fit(G, D, train, rec, callbacks=[t], progress=False)
    out = stargan.grid(G, train.x[:4])  # (4, k, 1, S, S)
    return _row(
        11, "stargan", [(stargan.FULL.cfg.steps, _ms(t.groups()[0]))], f"격자 {tuple(out.shape)}"
    )


def check_pggan(steps: int) -> dict:
    from gancore.models import pggan as P

    rec, t = P.FULL, StepTimer()
    plan = [P.Stage(st.res, steps, min(st.fade, steps // 2)) for st in rec.plan()]
    data = P.load_mnist32(gc.metrics.TRAIN_SPLIT, batch_size=rec.cfg.batch_size)
    G, D = rec.build()
    h = P.grow(
        G, D, data, replace(rec, cfg=_short(rec.cfg, steps)), plan, callbacks=[t], progress=False
    )
    m = P.evaluate(h.g_ema)
    parts = [(st.steps, _ms(g)) for st, g in zip(rec.plan(), t.groups(), strict=True)]
    return _row(12, "pggan", parts, f"classifier-FID {m['cfid']:.0f}")


def check_stylegan(steps: int) -> dict:
    from gancore.models import stylegan as S

    rec, t = replace(S.FULL, cfg=_short(S.FULL.cfg, steps)), StepTimer()
    train = S.load_mnist32(gc.metrics.TRAIN_SPLIT, batch_size=rec.cfg.batch_size, seed=rec.cfg.seed)
    G, D = rec.build()
    h = S.fit(G, D, train, rec, callbacks=[t], progress=False)
    m = S.evaluate(h.g_ema, psi=0.7)
    ppl = S.path_length(h.g_ema, "w", n=50)
    return _row(
        13,
        "stylegan",
        [(S.FULL.cfg.steps, _ms(t.groups()[0]))],
        f"classifier-FID {m['cfid']:.0f}, PPL(W) {ppl:.1f}",
    )


def check_singan(steps: int) -> dict:
    from gancore.models import singan as S

    rec, t = replace(S.FULL, cfg=_short(S.FULL.cfg, steps)), StepTimer()
    photo = gc.data.load_photo("immunohistochemistry")
    pyr, _ = S.fit(photo, rec, callbacks=[t], progress=False)
    wide = pyr.sample(2, seed=0, scale_hw=(1.0, 2.0))
    recon = pyr.reconstruct()
    parts = [(S.FULL.cfg.steps, _ms(g)) for g in t.groups()]
    note = f"척도 {len(pyr)}개, 재구성 {tuple(recon.shape)}, 가로 두 배 {tuple(wide.shape)}"
    return _row(14, "singan", parts, note)


def _row(chapter: int, family: str, parts: list[tuple[int, float]], note: str) -> dict:
    """parts: (FULL의 단계 수, 단계당 ms) — 해상도·척도가 여럿이면 여러 개."""
    full_steps = sum(n for n, _ in parts)
    minutes = sum(n * ms for n, ms in parts) / 60_000
    peak = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else None
    return {
        "chapter": chapter,
        "family": family,
        "full_steps": full_steps,
        "ms_per_step": [round(ms, 2) for _, ms in parts],
        "full_minutes": round(minutes, 1),
        "peak_gib": None if peak is None else round(peak, 2),
        "note": note,
    }


CHECKS = {
    "dcgan": check_dcgan,
    "pix2pix": check_pix2pix,
    "cyclegan": check_cyclegan,
    "discogan": check_discogan,
    "stargan": check_stargan,
    "pggan": check_pggan,
    "stylegan": check_stylegan,
    "singan": check_singan,
}


def table(rows: list[dict]) -> str:
    """결과를 마크다운 표로."""
    out = [
        "| 장 | 가족 | FULL 단계 | 단계당 ms | FULL 어림(분) | 최대 메모리 GiB | 학습 뒤 호출 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ms = " / ".join(f"{m:g}" for m in r["ms_per_step"])
        out.append(
            f"| {r['chapter']} | {r['family']} | {r['full_steps']:,} | {ms} | {r['full_minutes']:g} | "
            f"{r['peak_gib']} | {r['note']} |"
        )
    return "\n".join(out)


RECORDS = ROOT / "tools" / "records"
RECORD_FILES = ("full_check_h200.json", "full_check_cpu.json")  # 부록의 표가 옮기는 두 기록
NAMES = {
    "dcgan": "DCGAN",
    "pix2pix": "Pix2Pix",
    "cyclegan": "CycleGAN",
    "discogan": "DiscoGAN",
    "stargan": "StarGAN",
    "pggan": "PGGAN",
    "stylegan": "StyleGAN",
    "singan": "SinGAN",
}


def duration(minutes: float) -> str:
    """분을 읽기 좋은 한국어 길이로: 10분 아래는 소수 한 자리, 한 시간부터는 시간, 하루부터는 일(10일 아래는 소수 한 자리)."""
    if minutes < 10:
        return f"{minutes:.1f}분"
    if minutes < 60:
        return f"{minutes:.0f}분"
    if minutes < 24 * 60:
        return f"{minutes / 60:.1f}시간"
    days = minutes / (24 * 60)
    return f"{days:.1f}일" if days < 10 else f"{days:.0f}일"


def doc_table(gpu: dict, cpu: dict) -> str:
    """부록 '실행 환경과 문제 해결'의 표: 가족마다 FULL 단계, GPU와 CPU의 어림 시간, GPU 최대 메모리 (두 기록에서)."""
    by_cpu = {r["family"]: r for r in cpu["rows"]}
    out = [
        "| 장 | 모델 | 단계 | GPU 시간 | GPU 메모리 | CPU 시간 |",
        "|---|---|---|---|---|---|",
    ]
    for r in gpu["rows"]:
        c = by_cpu[r["family"]]
        out.append(
            f"| {r['chapter']} | {NAMES[r['family']]} | {r['full_steps']:,} | {duration(r['full_minutes'])} "
            f"| {r['peak_gib']:.1f} GiB | {duration(c['full_minutes'])} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--steps",
        type=int,
        default=30,
        help="가족마다(PGGAN은 해상도마다, SinGAN은 척도마다) 단계 수",
    )
    ap.add_argument("--only", default="", help=f"쉼표로 나눈 가족 이름 ({', '.join(CHECKS)})")
    ap.add_argument("--json", type=Path, default=None, help="결과를 이 JSON 파일에도 쓴다")
    ap.add_argument(
        "--doc", action="store_true", help="tools/records의 두 기록으로 부록의 표만 찍는다"
    )
    args = ap.parse_args(argv)
    if args.doc:
        gpu, cpu = (json.loads((RECORDS / f).read_text()) for f in RECORD_FILES)
        print(doc_table(gpu, cpu))
        return []
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(CHECKS)
    for n in names:
        if n not in CHECKS:
            raise unknown_name("모델 가족(family)", n, CHECKS)
    if args.steps <= WARMUP:
        raise GanBookError(
            f"--steps는 {WARMUP}보다 커야 합니다(처음 {WARMUP}단계는 시간에서 뺀다): {args.steps}"
        )
    dev = gc.runtime.device()
    print(
        f"장치 {dev} ({torch.cuda.get_device_name() if dev.type == 'cuda' else platform.processor()}), "
        f"torch {torch.__version__}, 모드 {gc.runtime.mode()}, 스레드 {torch.get_num_threads()}",
        flush=True,
    )
    rows = []
    for n in names:
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter()
        try:
            row = CHECKS[n](args.steps)
        except Exception as e:  # 한 가족이 실패해도 나머지를 잰다; 끝에서 실패로 알린다
            traceback.print_exc()
            row = {"family": n, "error": f"{type(e).__name__}: {e}"}
        rows.append(row | {"seconds": round(time.perf_counter() - t0, 1)})
        print(f"{n}: {rows[-1]}", flush=True)
    ok = [r for r in rows if "error" not in r]
    print(table(ok))
    for r in rows:
        if "error" in r:
            print(f"실패: {r['family']}: {r['error']}")
    if args.json:
        info = {
            "command": " ".join(
                ["python", "tools/full_check.py", *(argv if argv is not None else sys.argv[1:])]
            ),
            "device": torch.cuda.get_device_name()
            if dev.type == "cuda"
            else f"cpu ({platform.machine()})",
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "mode": gc.runtime.mode(),
            "steps": args.steps,
            "date": time.strftime("%Y-%m-%d", time.gmtime()),
        }
        args.json.write_text(json.dumps({"info": info, "rows": rows}, ensure_ascii=False, indent=1))
    return rows


if __name__ == "__main__":
    sys.exit(1 if any("error" in r for r in main()) else 0)
