"""13장의 미리 학습한 StyleGAN 생성자를 만든다 (gancore/assets/stylegan_mnist.pt).

    python tools/pretrain_stylegan.py pretrain --threads 1      # CPU 한 코어에서 (15분 안쪽)
    python tools/pretrain_stylegan.py pretrain --dry-run        # 몇 단계만 (저장은 /tmp)

`gancore.models.stylegan.PRETRAIN` 레시피(13장 quick의 작은 구조와 힌지 손실·스펙트럼 정규화 판별자를 6배 오래)로
MNIST 5k의 train 분할(4,000장)을 32×32로 늘려 학습하고, EMA 생성자의 가중치(추적한 평균 w 포함)를 설정·명령·
측정값(책의 평가 규약: test 분할과 견준 N_EVAL장, `stylegan.evaluate`)과 함께 저장한다. 13장은 이 파일을 읽어
위젯과 브라우저 블록을 돌리고, 기록된 명령과 지표를 출력한다. 논문의 full 구조(512채널)는 GPU 레시피라 여기서
만들지 않는다. 시드가 고정되어 있어 같은 명령은 같은 장치·스레드 수에서 같은 결과를 낸다.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import shlex
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gancore as gc  # noqa: E402
from gancore.models import stylegan as S  # noqa: E402


def _command(argv: list[str]) -> str:
    return "python " + " ".join(shlex.quote(a) for a in ["tools/pretrain_stylegan.py", *argv])


def _save(out: Path, G_ema, rec: S.Recipe, argv: list[str], seconds: float, **extra) -> Path:
    G = S.Generator(**S.model_kwargs(rec))
    G.load_state_dict(G_ema.state_dict())  # 가중치와 평균 w (버퍼)
    G.eval()
    m = S.evaluate(G, psi=1.0)  # 책의 평가 규약: N_EVAL장, 28×28로 잘라 test 분할과 견준다
    path = gc.checkpoint.save(
        out,
        G,
        "stylegan_g",
        rec.cfg,
        command=_command(argv),
        recipe="stylegan.PRETRAIN",
        loss=rec.loss,
        disc=rec.disc,
        mixing=rec.mixing,
        model_kwargs=S.model_kwargs(rec),
        seconds=round(seconds, 1),
        threads=torch.get_num_threads(),
        device="cpu",
        torch=torch.__version__,
        platform=platform.platform(),
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        cfid=round(m["cfid"], 2),
        precision=round(m["precision"], 3),
        recall=round(m["recall"], 3),
        classes=m["classes"],
        psi=1.0,
        split=gc.metrics.TRAIN_SPLIT,
        n_eval=gc.metrics.N_EVAL,
        eval_seed=gc.metrics.EVAL_SEED,
        **extra,
    )
    print(
        f"저장: {path} ({path.stat().st_size / 1e6:.2f} MB), {seconds:.0f}초, {rec.cfg.steps}단계, "
        f"classifier-FID {m['cfid']:.2f}, 정밀도 {m['precision']:.3f}, 재현율 {m['recall']:.3f}, "
        f"숫자 {m['classes']}종",
        flush=True,
    )
    return path


def pretrain(args, argv: list[str]) -> Path:
    rec = S.PRETRAIN
    if args.dry_run:
        rec = dataclasses.replace(rec, cfg=dataclasses.replace(rec.cfg, steps=3))
    out = Path("/tmp/stylegan_dry.pt") if args.dry_run else args.out
    data = S.load_mnist32(  # 책의 평가 규약: train 분할(4,000장)로만 학습한다
        gc.metrics.TRAIN_SPLIT, batch_size=rec.cfg.batch_size, seed=rec.cfg.seed
    )
    G, D = rec.build()
    t0 = time.perf_counter()

    def save_partial(state) -> None:  # 중간 저장: 멈춰도 그때까지 학습한 단계 수가 정확히 남는다
        if args.save_every and state.step % args.save_every == 0 and state.step < rec.cfg.steps:
            part = dataclasses.replace(rec, cfg=dataclasses.replace(rec.cfg, steps=state.step))
            state.g_ema.module.w_avg.copy_(G.w_avg)  # 평균 w는 학습하는 G가 추적한다 (S.fit과 같이)
            _save(out, state.g_ema.module, part, argv, time.perf_counter() - t0, stopped_early=True)

    hist = S.fit(G, D, data, rec, callbacks=[save_partial], desc="StyleGAN 미리 학습")
    return _save(out, hist.g_ema.cpu(), rec, argv, hist.seconds, stopped_early=False)


def main(argv: list[str] | None = None):
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["pretrain"])
    ap.add_argument(
        "--threads", type=int, default=None, help="torch CPU 스레드 수 (주면 CPU에서 학습)"
    )
    ap.add_argument("--save-every", type=int, default=0, help="이 단계마다 중간 체크포인트를 저장")
    ap.add_argument("--out", type=Path, default=S.PRETRAINED_PATH)
    ap.add_argument("--dry-run", action="store_true", help="3단계만, /tmp에 저장")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    return pretrain(args, argv)


if __name__ == "__main__":
    main()
