"""학습한 생성자를 브라우저로: ONNX 내보내기와 잠재 벡터·속성 벡터의 JSON.

책의 사이트는 5장의 DCGAN, 4장의 조건부 GAN, 13장의 StyleGAN을 독자의 브라우저에서 onnxruntime-web으로 돌린다.
사이트를 빌드할 때(`_ext/gangen_assets.py`) 커밋된 체크포인트에서 이 모듈이 만드는 것:

- `<이름>.onnx`: 생성자 하나. 입력 `z` (B, z_dim) float32 (조건부 GAN은 `y` (B,) int64도),
  출력 `image` (B, 1, 28, 28), 값은 tanh로 [-1, 1]. StyleGAN은 입력 `z1`, `z2` (B, z_dim), `psi` (1,),
  `mix` (B, num_ws)(1이면 그 층에 w₁, 0이면 w₂), 출력 `image` (B, 1, 32, 32), 잡음 끔, 평균 w는 그래프 안에. 가중치가 `MAX_BYTES`를 넘으면 float16으로 저장하고
  그래프 첫머리에서 float32로 되돌린다(계산은 float32 그대로).
- `<이름>.json`: 장의 파이썬 셀과 같은 시드로 만든 잠재 벡터와 속성 벡터. 브라우저가 torch의 난수 생성기를
  다시 구현하지 않도록, 값은 float32 그대로(리틀 엔디언 바이트의 base64) 싣는다.

    G, info = load_generator("gancore/assets/dcgan_mnist.pt")
    to_onnx(G, "/tmp/dcgan.onnx")                     # → Path, ≤ MAX_BYTES
    data = dcgan_page_data(G)                         # 5장 블록의 JSON (dict)
    write_site_assets("/tmp/out")                     # 세 모델의 .onnx와 .json 전부
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .errors import GanBookError

ASSETS = Path(__file__).resolve().parent / "assets"
MAX_BYTES = 2_000_000  # 모델 파일 하나의 한도 (독자가 내려받는 크기)
# 내보낼 수 있는 생성자: 체크포인트의 모델 이름 → 입력 이름들
INPUTS = {"dcgan_g": ("z",), "cgan_g": ("z", "y"), "stylegan_g": ("z1", "z2", "psi", "mix")}
# 사이트에 싣는 모델: 파일 이름 → 체크포인트
SITE_MODELS = {
    "dcgan_mnist": ASSETS / "dcgan_mnist.pt",
    "cgan_mnist": ASSETS / "cgan_mnist.pt",
    "stylegan_mnist": ASSETS / "stylegan_mnist.pt",
}
# 5장의 셀과 같은 시드 (book/05_dcgan.ipynb)
CH05 = {
    "n_seeds": 200,  # 보간 블록의 시드 0..199: 시드 s → random_latents(1, d, seed=s)[0]
    "seeds_default": (11, 12),  # 5장의 보간 위젯과 같은 두 시드
    "pool_seed": 5,  # 속성 벡터: 표본 2,000개의 잠재 벡터 (5장 셀과 같다)
    "pool_n": 2000,
    "q": 0.2,
    "attr_seed": 99,  # 속성을 더해 볼 새 숫자 8개
    "attr_n": 8,
    "abc_seed": 7,  # A − B + C 표본 모음 20개 (5장의 벡터 산술 위젯과 같다)
    "abc_n": 20,
}
CH04 = {"n_seeds": 100}  # 4장 블록의 시드 0..99
CH13 = {
    "n_seeds": 100,
    "seeds_default": (5, 13),
    "psi": 0.7,
    "k": 4,
}  # 13장의 StyleMixer 위젯과 같은 값


def _b64(x: torch.Tensor) -> dict:
    """float32 텐서 → {'shape', 'b64'} (리틀 엔디언 바이트의 base64: 값이 정확히 같다)."""
    a = np.ascontiguousarray(x.detach().cpu().numpy().astype("<f4"))
    return {"shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def from_b64(d: dict) -> torch.Tensor:
    """`_b64`의 역: {'shape', 'b64'} → float32 텐서."""
    a = np.frombuffer(base64.b64decode(d["b64"]), dtype="<f4").reshape(d["shape"])
    return torch.from_numpy(a.copy())


def sha256(path: str | Path) -> str:
    """파일의 SHA-256 (사이트가 어느 체크포인트에서 만들어졌는지 적어 둔다)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_generator(path: str | Path) -> tuple[nn.Module, dict]:
    """gancore 체크포인트에서 내보낼 수 있는 생성자를 평가 모드로 읽는다.

    모델 이름(`dcgan_g`, `cgan_g`)과 저장된 `model_kwargs`로 같은 모양의 모델을 만든 뒤 가중치를 싣는다.
    돌려주는 값: (G, {'name', 'config', 'extra'}). 판별자나 다른 모델의 체크포인트면 한국어 오류를 낸다.
    """
    from . import checkpoint, models

    raw = checkpoint.read(path)  # 없거나 읽을 수 없거나 gancore의 것이 아니면 여기서 오류
    name = raw["model_name"]
    if name not in INPUTS:
        raise GanBookError(
            f"ONNX로 내보낼 수 있는 생성자(generator)의 체크포인트가 아닙니다(not an exportable "
            f"generator checkpoint): {path}의 모델은 {name!r}, 내보낼 수 있는 것은 "
            f"{', '.join(INPUTS)}입니다."
        )
    kwargs = dict(raw.get("extra", {}).get("model_kwargs", {}))
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    G = models.build(name, **kwargs)
    info = checkpoint.load_state(raw, G, name)  # 파일을 다시 읽지 않는다
    G.eval()
    for p in G.parameters():
        p.requires_grad_(False)
    return G, {"name": name, **info}


class _Core(nn.Module):
    """내보낼 계산만 남긴 생성자: 입력 검사(파이썬 분기)는 브라우저 쪽이 맡는다. 가중치는 G와 공유한다."""

    def __init__(self, G: nn.Module):
        super().__init__()
        self.G = G

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        G = self.G
        if y is None:  # DCGAN: z (B, d) → (B, d, 1, 1) → (B, 1, 28, 28)
            return G.net(z[:, :, None, None])
        c = G.code.table(y) if G.code.table is not None else self._onehot(y, G.n_classes)
        h = torch.cat([z, c], dim=1)  # (B, z_dim + c)
        body = getattr(G.body, "net", G.body)  # MLP 몸통은 안의 net (모양 검사를 건너뛴다)
        return body(h).reshape(-1, 1, 28, 28)  # (B, 1, 28, 28)

    @staticmethod
    def _onehot(y: torch.Tensor, k: int) -> torch.Tensor:
        return (y[:, None] == torch.arange(k, device=y.device)[None]).float()  # (B, K)


class _StyleCore(nn.Module):
    """StyleGAN의 내보낼 계산: z₁, z₂ → 절단한 w₁, w₂ → 층마다 mix로 고른 w → 합성 (잡음 끔).

    `Generator.truncate`와 `Generator.synthesis`를 부르지 않고 같은 식을 여기 쓰는 까닭: ψ가 그래프의 입력
    텐서라 `truncate`의 `if psi != 1.0`을 추적할 수 없고, `synthesis`의 `const.expand(len(ws))`와 모양
    검사는 배치 크기를 상수로 굳힌다. 같은 계산임은 tests/test_export.py가 torch와 견주어 확인한다.
    """

    def __init__(self, G: nn.Module):
        super().__init__()
        self.G = G

    def forward(self, z1, z2, psi, mix) -> torch.Tensor:
        G = self.G
        w1, w2 = G.mapping(z1), G.mapping(z2)  # (B, w_dim)
        w1 = G.w_avg + psi * (w1 - G.w_avg)  # 절단 기법 (평균 w는 그래프의 상수)
        w2 = G.w_avg + psi * (w2 - G.w_avg)
        m = mix[:, :, None]  # (B, num_ws, 1), 값 0 또는 1
        ws = m * w1[:, None] + (1 - m) * w2[:, None]  # (B, num_ws, w_dim) = stylegan.mix_ws
        h = G.const + torch.zeros_like(z1[:, :1, None, None])  # (B, c0, 4, 4)
        for i, layer in enumerate(G.layers):
            h = layer(h, ws[:, i], "none")
        return G.to_rgb(h)  # (B, 1, 32, 32)


def _kind(G: nn.Module) -> str:
    from .models.cgan import CondGenerator
    from .models.dcgan import DCGANGenerator
    from .models.stylegan import Generator as StyleGenerator

    if isinstance(G, DCGANGenerator):
        return "dcgan_g"
    if isinstance(G, CondGenerator):
        return "cgan_g"
    if isinstance(G, StyleGenerator):
        return "stylegan_g"
    raise GanBookError(
        f"ONNX로 내보낼 수 있는 생성자(generator)가 아닙니다: {type(G).__name__}. "
        f"내보낼 수 있는 것은 {', '.join(INPUTS)}입니다."
    )


def _weights_to_fp16(model) -> None:
    """큰 float32 가중치를 float16으로 저장하고 그래프 첫머리에 Cast(→ float32) 노드를 둔다."""
    from onnx import TensorProto, helper, numpy_helper

    g = model.graph
    casts = []
    for init in list(g.initializer):
        if init.data_type != TensorProto.FLOAT or np.prod(init.dims) < 1024:
            continue
        w = numpy_helper.to_array(init).astype(np.float16)
        name16 = init.name + "__fp16"
        g.initializer.remove(init)
        g.initializer.append(numpy_helper.from_array(w, name16))
        casts.append(helper.make_node("Cast", [name16], [init.name], to=TensorProto.FLOAT))
    for node in reversed(casts):
        g.node.insert(0, node)


def to_onnx(G: nn.Module, path: str | Path, max_bytes: int = MAX_BYTES, opset: int = 18) -> Path:
    """생성자 G를 ONNX 파일로 내보낸다. 배치 크기 B는 자유롭다.

    입력 `z` (B, z_dim) float32 (조건부 GAN은 `y` (B,) int64도), 출력 `image` (B, 1, 28, 28).
    StyleGAN은 입력 `z1`, `z2`, `psi`, `mix`, 출력 (B, 1, 32, 32) (모듈 설명을 보라).
    float32 가중치로 `max_bytes`를 넘으면 가중치만 float16으로 저장하고, 그래도 넘으면 오류를 낸다.
    """
    import onnx

    kind = _kind(G)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    was = G.training
    G.eval()
    core = (_StyleCore(G) if kind == "stylegan_g" else _Core(G)).eval()
    z = torch.zeros(2, G.z_dim)  # (2, d) 모양만 쓰는 예시 입력
    args = {
        "dcgan_g": (z,),
        "cgan_g": (z, torch.zeros(2, dtype=torch.long)),
        "stylegan_g": (z, z, torch.ones(1), torch.ones(2, getattr(G, "num_ws", 0))),
    }[kind]
    names = list(INPUTS[kind])
    axes = {n: {0: "B"} for n in names if n != "psi"} | {"image": {0: "B"}}
    try:
        torch.onnx.export(
            core,
            args,
            str(path),
            input_names=names,
            output_names=["image"],
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False,
        )
    finally:
        G.train(was)
    model = onnx.load(str(path))
    if path.stat().st_size > max_bytes:
        _weights_to_fp16(model)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise GanBookError(
            f"ONNX 파일이 너무 큽니다(model file too large): {size:,} 바이트 > {max_bytes:,}. "
            "더 작은 생성자를 내보내세요."
        )
    return path


def run_onnx(
    path: str | Path, z: torch.Tensor | None = None, y: torch.Tensor | None = None, **inputs
) -> torch.Tensor:
    """onnxruntime(CPU, 스레드 하나)으로 ONNX 생성자를 돌린다: z (B, d) → 이미지 (B, 1, 28, 28).

    StyleGAN은 이름으로 넘긴다: `run_onnx(path, z1=…, z2=…, psi=torch.tensor([0.7]), mix=…)`.
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    named = {"z": z, **inputs}
    feeds = {
        k: v.detach().cpu().numpy().astype(np.float32) for k, v in named.items() if v is not None
    }
    if y is not None:
        feeds["y"] = y.detach().cpu().numpy().astype(np.int64)
    if {i.name for i in sess.get_inputs()} != set(feeds):
        need = ", ".join(i.name for i in sess.get_inputs())
        raise GanBookError(f"ONNX 모델의 입력(inputs)이 맞지 않습니다: 필요한 입력은 {need}입니다.")
    return torch.from_numpy(sess.run(["image"], feeds)[0])


def to_pixels(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] 이미지 → 0..255 정수 화소. 브라우저의 캔버스와 같은 식: round((x + 1)/2 · 255)."""
    return torch.round((x.clamp(-1, 1) + 1) / 2 * 255).to(torch.uint8)


def _seed_latents(n: int, z_dim: int) -> torch.Tensor:
    from .latent import random_latents

    return torch.stack([random_latents(1, z_dim, seed=s)[0] for s in range(n)])  # (n, d)


def dcgan_page_data(G: nn.Module, cfg: dict = CH05) -> dict:
    """5장 블록의 데이터: 시드별 z, 속성 벡터(굵기·기울어짐·너비), 새 숫자 8개, A − B + C 표본 모음.

    모두 5장의 셀과 같은 시드와 같은 함수(`latent.random_latents`, `latent.attribute_vector`,
    `attributes.measure`)로 만든다.
    """
    from . import attributes, latent
    from .widgets.latent import decode

    d = G.z_dim
    pool_z = latent.random_latents(cfg["pool_n"], d, seed=cfg["pool_seed"])  # (2000, d)
    scores = attributes.measure(decode(G, pool_z))  # 5장과 같은 측정
    vectors = {k: latent.attribute_vector(pool_z, s, q=cfg["q"]) for k, s in scores.items()}
    return {
        "z_dim": d,
        "seeds": _b64(_seed_latents(cfg["n_seeds"], d)),
        "seeds_default": list(cfg["seeds_default"]),
        "attributes": {k: _b64(v) for k, v in vectors.items()},
        "attribute_names": {k: attributes.NAMES[k] for k in vectors},
        "attr_z": _b64(latent.random_latents(cfg["attr_n"], d, seed=cfg["attr_seed"])),
        "abc_pool": _b64(latent.random_latents(cfg["abc_n"], d, seed=cfg["abc_seed"])),
        "recipe": {k: v for k, v in cfg.items() if k != "seeds_default"},
    }


def cgan_page_data(G: nn.Module, cfg: dict = CH04) -> dict:
    """4장 블록의 데이터: 시드 0..n−1의 z (시드 s → `random_latents(1, d, seed=s)[0]`)."""
    return {
        "z_dim": G.z_dim,
        "n_classes": G.n_classes,
        "seeds": _b64(_seed_latents(cfg["n_seeds"], G.z_dim)),
    }


def stylegan_page_data(G: nn.Module, cfg: dict = CH13) -> dict:
    """13장 블록의 데이터: 시드 0..n−1의 z (시드 s → `random_latents(1, d, seed=s)[0]`)와 기본값."""
    return {
        "z_dim": G.z_dim,
        "num_ws": G.num_ws,
        "size": G.size,
        "seeds": _b64(_seed_latents(cfg["n_seeds"], G.z_dim)),
        "seeds_default": list(cfg["seeds_default"]),
        "psi": cfg["psi"],
        "k": cfg["k"],
    }


PAGE_DATA = {"dcgan_g": dcgan_page_data, "cgan_g": cgan_page_data, "stylegan_g": stylegan_page_data}


def _meta(info: dict, ckpt: Path) -> dict:
    ex = info["extra"]
    keep = ("command", "cfid", "label_accuracy", "precision", "recall", "seconds", "split")
    return {
        "checkpoint": ckpt.name,
        "sha256": sha256(ckpt),
        "steps": info["config"].get("steps"),
        **{k: ex[k] for k in keep if k in ex},
    }


def write_site_assets(out_dir: str | Path, models: dict[str, Path] | None = None) -> list[Path]:
    """사이트용 파일을 out_dir에 쓴다: 모델마다 `<이름>.onnx`와 `<이름>.json`. 쓴 파일들을 돌려준다."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, ckpt in (models or SITE_MODELS).items():
        G, info = load_generator(ckpt)
        onnx_path = to_onnx(G, out_dir / f"{stem}.onnx")
        page = PAGE_DATA[info["name"]](G)
        page = {
            "model": onnx_path.name,
            "kind": info["name"],
            "meta": _meta(info, Path(ckpt)),
            **page,
        }
        json_path = out_dir / f"{stem}.json"
        json_path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
        written += [onnx_path, json_path]
    return written
