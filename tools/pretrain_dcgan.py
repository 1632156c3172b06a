"""5장의 미리 학습한 DCGAN 생성자를 만든다 (gancore/assets/dcgan_mnist.pt).

    python tools/pretrain_dcgan.py pretrain                  # full 레시피 그대로 (GPU가 있으면 GPU)
    python tools/pretrain_dcgan.py pretrain --threads 1      # CPU에서 (한 코어에서 20분 남짓)
    python tools/pretrain_dcgan.py pretrain --dry-run        # 몇 단계만 (저장은 /tmp)

`gancore.models.dcgan.FULL` 레시피(힌지 손실, 스펙트럼 정규화 판별자, TTUR, 생성자 EMA)로 MNIST 5k의 train 분할(4,000장)만 학습하고,
EMA 생성자의 가중치를 설정·명령·측정값(책의 평가 규약: test 분할과 견준 N_EVAL장)과 함께 저장한다. 5장은 이 파일을 읽고, 기록된 명령과 지표를 출력한다.
시드가 고정되어 있어 같은 명령은 같은 장치에서 같은 결과를 낸다.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pretrain_common as common

import gancore as gc
from gancore.models import dcgan


def _save(
    out: Path, G_ema, recipe: dcgan.Recipe, argv: list[str], dev: str, seconds: float, **extra
) -> Path:
    G = dcgan.DCGANGenerator(z_dim=recipe.z_dim, ch=recipe.ch)
    G.load_state_dict(G_ema.state_dict())  # channels_last 배치를 떼고 평범한 텐서로
    m = gc.metrics.evaluate_generator(G, recipe.z_dim)  # 책의 평가 규약: N_EVAL장, 기준은 test 분할
    path = gc.checkpoint.save(
        out,
        G,
        "dcgan_g",
        recipe.cfg,
        loss=recipe.loss,
        d_norm=recipe.norm,
        model_kwargs={"z_dim": recipe.z_dim, "ch": recipe.ch},
        cfid=round(m["cfid"], 2),
        precision=round(m["precision"], 3),
        recall=round(m["recall"], 3),
        **common.provenance("pretrain_dcgan.py", argv, seconds, dev),
        **extra,
    )
    print(
        f"저장: {path} ({path.stat().st_size / 1e6:.2f} MB), {seconds:.0f}초, {recipe.cfg.steps}단계, "
        f"{gc.metrics.format_mnist(m)}",
        flush=True,
    )
    return path


def pretrain(args, argv: list[str]) -> Path:
    recipe = dcgan.FULL
    if args.dry_run:
        recipe = dataclasses.replace(recipe, cfg=dataclasses.replace(recipe.cfg, steps=3))
    out = Path("/tmp/dcgan_dry.pt") if args.dry_run else args.out
    dev = "cpu" if args.threads else str(gc.runtime.device())
    data = gc.data.load(  # 책의 평가 규약: train 분할(4,000장)로만 학습한다
        "mnist5k",
        split=gc.metrics.TRAIN_SPLIT,
        batch_size=recipe.cfg.batch_size,
        seed=recipe.cfg.seed,
    )
    G, D = recipe.build()
    t0 = time.perf_counter()

    def save_partial(state) -> None:  # 중간 저장: 멈춰도 그때까지 학습한 단계 수가 정확히 남는다
        if args.save_every and state.step % args.save_every == 0 and state.step < recipe.cfg.steps:
            part = dataclasses.replace(
                recipe, cfg=dataclasses.replace(recipe.cfg, steps=state.step)
            )
            _save(
                out,
                state.g_ema.module,
                part,
                argv,
                dev,
                time.perf_counter() - t0,
                stopped_early=True,
            )
            state.G.train()

    hist = gc.train.fit(
        G,
        D,
        data,
        recipe.cfg,
        loss=recipe.loss,
        desc="DCGAN 미리 학습 (full)",
        device=dev,
        callbacks=[save_partial],
    )
    return _save(out, hist.g_ema.module.cpu(), recipe, argv, dev, hist.seconds, stopped_early=False)


def main(argv: list[str] | None = None) -> Path:
    return common.main(__doc__, dcgan.PRETRAINED_PATH, pretrain, argv)


if __name__ == "__main__":
    main()
