"""5장의 미리 학습한 DCGAN 생성자와 '무엇이 얼마를 버는가' 표를 만든다 (gancore/assets/).

    python tools/pretrain_dcgan.py pretrain                  # full 레시피 그대로 (GPU 권장)
    python tools/pretrain_dcgan.py pretrain --steps 6000 --threads 2   # CPU에서 단계 수만 줄여서
    python tools/pretrain_dcgan.py ablation --threads 1      # quick 예산에서 변형마다 한 번씩
    python tools/pretrain_dcgan.py pretrain --dry-run        # 몇 단계만 (저장은 /tmp)

pretrain: full 레시피(힌지 손실, 스펙트럼 정규화 판별자, TTUR, 생성자 EMA)로 MNIST 5k를 학습하고, EMA 생성자의
가중치를 설정·명령·측정값과 함께 gancore/assets/dcgan_mnist.pt에 저장한다. --steps로 단계 수를 바꾸면 그 값이
체크포인트의 config와 extra에 그대로 남고, 5장이 그것을 읽어 보여 준다.

ablation: 5장 quick 설정과 같은 단계 수로 교과서 DCGAN에서 시작해 선택을 하나씩 더하며 학습하고, 각 변형의
classifier-FID·재현율(원래 G와 EMA G)과 단계당 CPU 시간을 gancore/assets/dcgan_ablation.json에 적는다.
CPU 시간(process_time)은 다른 프로세스가 CPU를 나눠 써도 거의 변하지 않으므로 '빈 코어에서의 시간'의 추정으로 쓴다.
시드가 고정되어 있어 같은 명령은 같은 장치에서 같은 결과를 낸다.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import shlex
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gancore as gc  # noqa: E402
from gancore.models import dcgan  # noqa: E402
from gancore.train import TrainConfig  # noqa: E402

ABLATION_PATH = dcgan.PRETRAINED_PATH.parent / "dcgan_ablation.json"

# 5장의 quick / full 설정과 같다 (장의 숨은 검사가 둘이 같은지 확인한다)
QUICK = dict(
    model=dict(z_dim=64, ch=16),
    cfg=TrainConfig(
        steps=1500,
        batch_size=64,
        z_dim=64,
        lr_g=5e-4,
        lr_d=1e-3,
        betas=(0.0, 0.9),
        ema_decay=0.995,
        seed=0,
    ),
    loss="hinge",
    norm="sn",
)
FULL = dict(
    model=dict(dcgan.PRETRAINED_KWARGS),
    cfg=TrainConfig(
        steps=20_000,
        batch_size=128,
        z_dim=64,
        lr_g=5e-4,
        lr_d=1e-3,
        betas=(0.0, 0.9),
        ema_decay=0.999,
        seed=0,
    ),
    loss="hinge",
    norm="sn",
)


def train_variant(
    model: dict,
    cfg: TrainConfig,
    loss: str,
    norm: str,
    channels_last: bool = True,
    desc: str = "DCGAN",
    device: str | None = None,
    callbacks=(),
    evaluate: bool = True,
) -> dict:
    """설정 하나를 학습하고 (원래 G, EMA G)의 지표와 시간을 잰다."""
    data = gc.data.load("mnist5k", batch_size=cfg.batch_size, seed=cfg.seed)
    G = gc.models.build("dcgan_g", **model)
    D = gc.models.build("dcgan_d", ch=model["ch"], norm=norm)
    if channels_last:
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    cpu0 = time.process_time()
    hist = gc.train.fit(G, D, data, cfg, loss=loss, desc=desc, device=device, callbacks=callbacks)
    cpu = time.process_time() - cpu0
    out = {
        "seconds": round(hist.seconds, 1),
        "cpu_ms_per_step": round(1000 * cpu / cfg.steps, 1),
        "threads": torch.get_num_threads(),
    }
    for tag, g in (("G", G), ("EMA", hist.g_ema.module if hist.g_ema is not None else None)):
        if g is None or not evaluate:
            continue
        m = gc.metrics.evaluate_mnist(gc.train.sample(g.cpu(), 5000, cfg.z_dim, seed=1))
        out[tag] = {k: round(float(m[k]), 3) for k in ("cfid", "precision", "recall", "min_share")}
    out["_G_ema"] = hist.g_ema.module.cpu().eval() if hist.g_ema is not None else None
    return out


def _command(argv: list[str]) -> str:
    return "python " + " ".join(shlex.quote(a) for a in ["tools/pretrain_dcgan.py", *argv])


def _save(
    out: Path, G_ema, cfg: TrainConfig, argv: list[str], dev: str, seconds: float, **extra
) -> Path:
    G = gc.models.build("dcgan_g", **FULL["model"])
    G.load_state_dict(G_ema.state_dict())  # channels_last 배치를 떼고 평범한 텐서로
    m = gc.metrics.evaluate_mnist(gc.train.sample(G, 5000, cfg.z_dim, seed=1))
    path = gc.checkpoint.save(
        out,
        G,
        "dcgan_g",
        cfg,
        command=_command(argv),
        loss=FULL["loss"],
        d_norm=FULL["norm"],
        model_kwargs=FULL["model"],
        full_steps=FULL["cfg"].steps,
        full_batch_size=FULL["cfg"].batch_size,
        seconds=round(seconds, 1),
        threads=torch.get_num_threads(),
        device=dev,
        torch=torch.__version__,
        platform=platform.platform(),
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        cfid=round(m["cfid"], 2),
        precision=round(m["precision"], 3),
        recall=round(m["recall"], 3),
        **extra,
    )
    print(
        f"저장: {path} ({path.stat().st_size / 1e6:.2f} MB), {seconds:.0f}초, {cfg.steps}단계, {gc.metrics.format_mnist(m)}",
        flush=True,
    )
    return path


def pretrain(args, argv: list[str]) -> Path:
    steps = 3 if args.dry_run else (args.steps or FULL["cfg"].steps)
    out = Path("/tmp/dcgan_dry.pt") if args.dry_run else args.out
    cfg = dataclasses.replace(
        FULL["cfg"],
        steps=steps,
        batch_size=args.batch_size or FULL["cfg"].batch_size,
        ema_decay=args.ema or FULL["cfg"].ema_decay,
    )
    dev = "cpu" if args.threads else str(gc.runtime.device())
    t0 = time.perf_counter()

    def save_partial(
        state,
    ) -> None:  # 중간 저장: 시간이 모자라 멈춰도 그때까지 학습한 단계 수가 정확히 남는다
        if args.save_every and state.step % args.save_every == 0 and state.step < cfg.steps:
            part = dataclasses.replace(cfg, steps=state.step)
            _save(
                out,
                state.g_ema.module,
                part,
                argv,
                dev,
                time.perf_counter() - t0,
                planned_steps=cfg.steps,
                stopped_early=True,
            )
            state.G.train()

    r = train_variant(
        FULL["model"],
        cfg,
        FULL["loss"],
        FULL["norm"],
        desc="DCGAN 미리 학습",
        device=dev,
        callbacks=[save_partial],
    )
    return _save(
        out,
        r.pop("_G_ema"),
        cfg,
        argv,
        dev,
        r["seconds"],
        planned_steps=cfg.steps,
        stopped_early=False,
        raw_G=r["G"],
    )


def variants() -> list[tuple[str, dict]]:
    """품질 비교: 교과서 DCGAN에서 시작해 선택을 하나씩 더한다 (단계 수·배치·시드는 quick과 같다)."""
    q = QUICK["cfg"]
    base = dict(
        model=QUICK["model"],
        cfg=dataclasses.replace(q, lr_d=q.lr_g, betas=(0.5, 0.999)),
        loss="ns",
        norm="bn",
        channels_last=True,
    )
    return [
        (
            "교과서 DCGAN (BCE, 배치 정규화 D, Adam 2e-4·β₁ 0.5)",
            {**base, "cfg": dataclasses.replace(base["cfg"], lr_g=2e-4, lr_d=2e-4)},
        ),
        (
            "+ 힌지 손실·스펙트럼 정규화 D",
            {
                **base,
                "cfg": dataclasses.replace(base["cfg"], lr_g=2e-4, lr_d=2e-4),
                "loss": "hinge",
                "norm": "sn",
            },
        ),
        (
            "+ 큰 학습률·β₁ 0, 같은 학습률",
            {**base, "cfg": dataclasses.replace(q, lr_d=q.lr_g), "loss": "hinge", "norm": "sn"},
        ),
        (
            "+ 큰 학습률·β₁ 0·TTUR (= quick 레시피)",
            {**base, "cfg": q, "loss": "hinge", "norm": "sn"},
        ),
    ]


def timing_variants() -> list[tuple[str, dict]]:
    """속도 비교: quick 레시피에서 계산량에 관한 선택 하나만 바꿔 단계당 CPU 시간을 잰다."""
    q = QUICK["cfg"]
    base = dict(
        model=QUICK["model"],
        cfg=dataclasses.replace(q, steps=TIMING_STEPS),
        loss="hinge",
        norm="sn",
        channels_last=True,
    )
    return [
        ("quick 레시피 (ch=16, 배치 64, channels_last)", base),
        ("channels_last 없이", {**base, "channels_last": False}),
        ("채널 2배 (ch=32)", {**base, "model": {**QUICK["model"], "ch": 32}}),
        ("배치 2배 (128)", {**base, "cfg": dataclasses.replace(base["cfg"], batch_size=128)}),
    ]


TIMING_STEPS = 100


def ablation(args, argv: list[str]) -> Path:
    rows, timing = [], []
    for kind, table, out in (("quality", variants(), rows), ("timing", timing_variants(), timing)):
        if args.only and kind not in args.only:
            continue
        for i, (name, v) in enumerate(table):
            if args.rows is not None and i not in args.rows:
                continue
            cfg = dataclasses.replace(v["cfg"], steps=3) if args.dry_run else v["cfg"]
            r = train_variant(
                v["model"],
                cfg,
                v["loss"],
                v["norm"],
                v["channels_last"],
                desc=name[:20],
                device="cpu",
                evaluate=kind == "quality",
            )
            r.pop("_G_ema")
            row = {
                "name": name,
                "model": v["model"],
                "loss": v["loss"],
                "norm": v["norm"],
                "channels_last": v["channels_last"],
                "config": dataclasses.asdict(cfg),
                **r,
            }
            print(json.dumps(row, ensure_ascii=False), flush=True)
            out.append(row)
    path = Path("/tmp/dcgan_ablation_dry.json") if args.dry_run else args.ablation_out
    from filelock import FileLock

    with FileLock(str(path) + ".lock"):  # 변형을 여러 프로세스로 나눠 돌려도 한 파일에 모은다
        old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        order = {
            kind: [n for n, _ in t]
            for kind, t in (("rows", variants()), ("timing", timing_variants()))
        }
        merged = {}
        for key, new_rows in (("rows", rows), ("timing", timing)):
            by_name = {r["name"]: r for r in old.get(key, [])} | {r["name"]: r for r in new_rows}
            merged[key] = [by_name[n] for n in order[key] if n in by_name]
        info = {
            "commands": sorted(set(old.get("commands", [])) | {_command(argv)}),
            "torch": torch.__version__,
            "platform": platform.platform(),
            "threads": torch.get_num_threads(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            **merged,
        }
        path.write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    Path(str(path) + ".lock").unlink(missing_ok=True)
    return path


def main(argv: list[str] | None = None):
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["pretrain", "ablation"])
    ap.add_argument(
        "--steps", type=int, default=None, help="pretrain: 생성자 갱신 횟수 (기본: full 레시피)"
    )
    ap.add_argument(
        "--batch-size", type=int, default=None, help="pretrain: 배치 크기 (기본: full 레시피)"
    )
    ap.add_argument(
        "--ema", type=float, default=None, help="pretrain: EMA 감쇠율 (단계를 줄이면 함께 줄인다)"
    )
    ap.add_argument(
        "--save-every", type=int, default=0, help="pretrain: 이 단계마다 중간 체크포인트를 저장"
    )
    ap.add_argument(
        "--threads", type=int, default=None, help="torch CPU 스레드 수 (주면 CPU에서 학습)"
    )
    ap.add_argument("--out", type=Path, default=dcgan.PRETRAINED_PATH)
    ap.add_argument("--ablation-out", type=Path, default=ABLATION_PATH)
    ap.add_argument(
        "--only", nargs="*", choices=["quality", "timing"], help="ablation: 한 부분만 다시"
    )
    ap.add_argument(
        "--rows",
        type=int,
        nargs="*",
        default=None,
        help="ablation: 이 번호의 변형만 (여러 프로세스로 나눌 때)",
    )
    ap.add_argument("--dry-run", action="store_true", help="3단계만, /tmp에 저장")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    return (pretrain if args.what == "pretrain" else ablation)(args, argv)


if __name__ == "__main__":
    main()
