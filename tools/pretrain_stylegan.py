"""13장의 미리 학습한 StyleGAN 생성자를 만든다 (gancore/assets/stylegan_mnist.pt).

    python tools/pretrain_stylegan.py pretrain --threads 1 --save-every 1500   # CPU 한 코어에서 (한 시간 안쪽)
    python tools/pretrain_stylegan.py pretrain --dry-run                       # 몇 단계만 (저장은 /tmp)

`gancore.models.stylegan.PRETRAIN` 레시피로 MNIST 5k의 train 분할(4,000장)을 32×32로 늘려 학습한다. 레시피는 FULL의
학습 설정 그대로(논문의 비포화 손실 + 매 단계 R1 γ = 10, PGGAN 판별자, 매핑 8층, 스타일 혼합 90%, Adam 0.001·
β = (0, 0.99), 배치 32, EMA 0.999)이고, 폭(w 64, 채널 64·64·32·16)과 단계 수(50,000 대신 12,000)만 줄였다.
EMA 생성자의 가중치(추적한 평균 w 포함)를 설정·명령·측정값(책의 평가 규약: test 분할과 견준 N_EVAL장,
`stylegan.evaluate`)과 함께 저장한다. --save-every를 주면 그 간격마다 같은 파일에 중간 체크포인트를 쓰고 지표를
출력한다 (학습 곡선). 13장은 이 파일을 읽어 위젯과 브라우저 블록을 돌리고, 기록된 명령과 지표를 출력한다.
시드가 고정되어 있어 같은 명령은 같은 장치·스레드 수에서 같은 결과를 낸다.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pretrain_common as common

import gancore as gc
from gancore.models import stylegan as S


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
        recipe="stylegan.PRETRAIN",
        loss=rec.loss,
        disc=rec.disc,
        mixing=rec.mixing,
        model_kwargs=S.model_kwargs(rec),
        cfid=round(m["cfid"], 2),
        precision=round(m["precision"], 3),
        recall=round(m["recall"], 3),
        classes=m["classes"],
        psi=1.0,
        **common.provenance("pretrain_stylegan.py", argv, seconds, "cpu"),
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


def main(argv: list[str] | None = None) -> Path:
    return common.main(__doc__, S.PRETRAINED_PATH, pretrain, argv)


if __name__ == "__main__":
    main()
