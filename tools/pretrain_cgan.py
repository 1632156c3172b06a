"""4장의 미리 학습한 조건부 GAN 생성자를 만든다 (gancore/assets/cgan_mnist.pt).

    python tools/pretrain_cgan.py pretrain --threads 1      # CPU 한 코어에서 (빈 기계에서 몇 분)
    python tools/pretrain_cgan.py pretrain --dry-run        # 몇 단계만 (저장은 /tmp)

4장 실험 2와 같은 망(MLP 생성자 256·512, 판별자 512·256, 16차원 레이블 임베딩)과 틀린 레이블 항으로
MNIST 5k의 train 분할(4,000장)만, 4장의 quick의 두 배(3,000단계) 학습하고, EMA 생성자의 가중치를 설정·명령·측정값
(책의 평가 규약: 숫자마다 100장씩 주문한 N_EVAL장의 레이블 정확도와 test 분할과 견준 classifier-FID)과 함께
저장한다. 책의 사이트는 이 파일을 ONNX로 바꿔 독자의 브라우저에서 돌린다(`gancore.export`).
시드가 고정되어 있어 같은 명령은 같은 장치에서 같은 결과를 낸다.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pretrain_common as common
import torch

import gancore as gc
from gancore.models import cgan
from gancore.train import TrainConfig

OUT = common.ROOT / "gancore" / "assets" / "cgan_mnist.pt"
# 4장의 quick 설정(학습률 5e-4, 배치 64)을 두 배 오래, EMA 창은 더 길게
CFG = TrainConfig(
    steps=3000, batch_size=64, z_dim=64, lr_g=5e-4, lr_d=5e-4, ema_decay=0.999, seed=0
)
MODEL_KWARGS = {"arch": "mlp", "z_dim": CFG.z_dim, "cond": "embed", "hidden": [256, 512]}
D_KWARGS = {"arch": "mlp", "cond": "embed", "hidden": [512, 256]}


def pretrain(args, argv: list[str]) -> Path:
    cfg = dataclasses.replace(CFG, steps=3) if args.dry_run else CFG
    out = Path("/tmp/cgan_dry.pt") if args.dry_run else args.out
    dev = "cpu" if args.threads else str(gc.runtime.device())
    data = gc.data.load(  # 책의 평가 규약: train 분할(4,000장)로만 학습한다
        "mnist5k", split=gc.metrics.TRAIN_SPLIT, batch_size=cfg.batch_size, seed=cfg.seed
    )
    gc.runtime.seed_all(cfg.seed)
    G = gc.models.build("cgan_g", **MODEL_KWARGS)
    D = gc.models.build("cgan_d", **D_KWARGS)
    hist = gc.train.fit(
        G,
        D,
        data,
        cfg,
        n_classes=10,
        d_reg=cgan.wrong_label_term(10, weight=1.0),
        desc="조건부 GAN 미리 학습",
        device=dev,
    )
    G_out = gc.models.build("cgan_g", **MODEL_KWARGS)
    G_out.load_state_dict(hist.g_ema.module.cpu().state_dict())
    G_out.eval()
    y = torch.arange(10).repeat_interleave(gc.metrics.N_EVAL // 10)  # (N_EVAL,) 숫자마다 같은 수
    x = gc.metrics.eval_samples(G_out, cfg.z_dim, n=len(y), y=y)  # (N_EVAL, 1, 28, 28)
    acc = gc.metrics.label_accuracy(x, y)
    cfid = gc.metrics.cfid(x)
    path = gc.checkpoint.save(
        out,
        G_out,
        "cgan_g",
        cfg,
        model_kwargs=MODEL_KWARGS,
        d_kwargs=D_KWARGS,
        wrong_label_weight=1.0,
        label_accuracy=round(acc, 3),
        cfid=round(cfid, 2),
        **common.provenance("pretrain_cgan.py", argv, hist.seconds, dev),
    )
    print(
        f"저장: {path} ({path.stat().st_size / 1e6:.2f} MB), {hist.seconds:.0f}초, {cfg.steps}단계, "
        f"레이블 정확도 {acc:.3f}, classifier-FID {cfid:.1f}",
        flush=True,
    )
    return path


def main(argv: list[str] | None = None) -> Path:
    return common.main(__doc__, OUT, pretrain, argv, save_every=False)


if __name__ == "__main__":
    main()
