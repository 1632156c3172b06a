"""2-D "GAN 실험실": GAN Lab(Kahng et al., 2018)의 생각을 노트북 안에서.

목표 분포(ring8, grid25, swissroll)와 손실(minimax, ns, lsgan, wgan-clip, wgan-gp)을 고르고,
학습을 묶음(chunk)으로 돌리며 생성자 표본, 판별자(비평자) 지형의 열지도, 가짜 표본에 걸리는
기울기 화살표가 어떻게 변하는지 본다.

- 순수 함수: `make_lab(cfg)`, `train_chunk(state, steps)`, `snapshot(state)`, `render_ganlab(state)`.
  학습은 `gancore.train.fit`에 실험실 고유의 옵티마이저(opt_g, opt_d)를 넘겨 이어 간다.
- 얇은 래퍼: `ganlab_widget()` (ipywidgets), 정적 사이트용 `lab_animation()` (jshtml).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import torch

from .. import losses as L
from .. import plot as _plot  # noqa: F401  (한글 글꼴 설정)
from ..data import DataBundle, load
from ..errors import GanBookError, unknown_name
from ..metrics.modes import mode_coverage
from ..toy import eval_grid, pair, sample_grads
from ..train import TrainConfig, fit, sample

TARGETS = {"ring8": 3.0, "grid25": 6.0, "swissroll": 3.5}  # 목표 분포 → 그림 범위 lim
LAB_LOSSES = {
    "minimax": "포화 손실(minimax)",
    "ns": "비포화 손실(NS)",
    "lsgan": "최소제곱(LSGAN)",
    "wgan-clip": "WGAN + 가중치 클리핑",
    "wgan-gp": "WGAN-GP",
}
# 손실마다 권하는 (lr_g, lr_d, n_critic): 시작점일 뿐이다
RECOMMENDED = {
    "minimax": (1e-3, 1e-3, 1),
    "ns": (1e-3, 1e-3, 1),
    "lsgan": (1e-3, 1e-3, 1),
    "wgan-clip": (5e-4, 5e-4, 5),
    "wgan-gp": (1e-3, 1e-3, 5),
}


@dataclass(frozen=True)
class LabConfig:
    """실험실 설정. 학습률과 n_critic은 학습 중에도 `set_rates`로 바꿀 수 있다."""

    target: str = "ring8"
    loss: str = "ns"
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    n_critic: int = 1
    batch_size: int = 128
    z_dim: int = 2
    hidden: tuple[int, ...] = (64, 64)
    clip: float = 0.05  # wgan-clip의 c
    gp_weight: float = 0.1  # wgan-gp의 λ (WGAN-GP 논문의 2-D 실험 값)
    n_data: int = 4000
    seed: int = 0

    def __post_init__(self):
        if self.target not in TARGETS:
            raise unknown_name("목표 분포(target)", self.target, TARGETS)
        if self.loss not in LAB_LOSSES:
            raise unknown_name("손실(loss)", self.loss, LAB_LOSSES)
        if self.lr_g <= 0 or self.lr_d <= 0 or self.n_critic < 1:
            raise GanBookError("학습률(learning rate)은 0보다 크고 n_critic은 1 이상이어야 합니다.")

    @classmethod
    def recommended(cls, target: str = "ring8", loss: str = "ns", **kw) -> LabConfig:
        """손실에 맞춘 권장 학습률과 n_critic으로 설정을 만든다."""
        if loss not in RECOMMENDED:
            raise unknown_name("손실(loss)", loss, LAB_LOSSES)
        lr_g, lr_d, k = RECOMMENDED[loss]
        return cls(
            **{"target": target, "loss": loss, "lr_g": lr_g, "lr_d": lr_d, "n_critic": k, **kw}
        )


@dataclass
class LabState:
    """실험실의 상태: 설정, 데이터, 두 네트워크와 그들의 옵티마이저, 누적 기록."""

    cfg: LabConfig
    data: DataBundle
    G: torch.nn.Module
    D: torch.nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    step: int = 0
    chunks: int = 0
    log: dict[str, list[float]] = field(
        default_factory=lambda: {
            k: [] for k in ("step", "d_loss", "g_loss", "chunk_end", "modes", "hq")
        }
    )


def _optimizers(cfg: LabConfig, G, D):
    if cfg.loss == "wgan-clip":  # WGAN 논문: 모멘텀 없는 RMSProp
        return torch.optim.RMSprop(G.parameters(), lr=cfg.lr_g), torch.optim.RMSprop(
            D.parameters(), lr=cfg.lr_d
        )
    betas = (0.5, 0.9) if cfg.loss == "wgan-gp" else (0.5, 0.999)
    return (
        torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=betas),
        torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=betas),
    )


def make_lab(cfg: LabConfig = LabConfig()) -> LabState:
    """새 실험실: 데이터를 불러오고 작은 MLP 쌍과 옵티마이저를 만든다 (시드 고정)."""
    data = load(cfg.target, batch_size=cfg.batch_size, n=cfg.n_data, seed=cfg.seed)
    torch.manual_seed(cfg.seed)
    G, D = pair(cfg.z_dim, cfg.hidden)
    return LabState(cfg, data, G, D, *_optimizers(cfg, G, D))


def set_rates(state: LabState, lr_g: float, lr_d: float, n_critic: int) -> LabState:
    """학습을 멈추지 않고 학습률과 n_critic을 바꾼다 (옵티마이저의 상태는 그대로)."""
    state.cfg = dataclasses.replace(state.cfg, lr_g=lr_g, lr_d=lr_d, n_critic=n_critic)
    for opt, lr in ((state.opt_g, lr_g), (state.opt_d, lr_d)):
        for group in opt.param_groups:
            group["lr"] = lr
    return state


def _fit_kwargs(cfg: LabConfig) -> dict:
    if cfg.loss == "wgan-clip":
        return {"loss": "wgan", "after_d_step": L.weight_clipper(cfg.clip)}
    if cfg.loss == "wgan-gp":
        return {
            "loss": "wgan",
            "d_reg": functools.partial(L.gradient_penalty, weight=cfg.gp_weight),
        }
    return {"loss": cfg.loss}


def train_chunk(state: LabState, steps: int = 100) -> LabState:
    """생성자 steps단계를 더 학습한다: `fit`에 실험실의 옵티마이저를 넘기고 묶음마다 시드를 바꾼다."""
    cfg = state.cfg
    tc = TrainConfig(
        steps=steps,
        batch_size=cfg.batch_size,
        z_dim=cfg.z_dim,
        lr_g=cfg.lr_g,
        lr_d=cfg.lr_d,
        n_critic=cfg.n_critic,
        seed=cfg.seed * 100_003 + state.chunks,  # 묶음마다 다른 난수 (같은 z를 되풀이하지 않게)
        log_every=max(1, steps // 5),
    )
    hist = fit(
        state.G,
        state.D,
        state.data,
        tc,
        opt_g=state.opt_g,
        opt_d=state.opt_d,
        device="cpu",
        progress=False,
        **_fit_kwargs(cfg),
    )
    state.step += steps
    state.chunks += 1
    log = state.log
    log["step"] += [state.step - steps + s for s in hist.step]
    log["d_loss"] += hist.d_loss
    log["g_loss"] += hist.g_loss
    if "centers" in state.data.meta:
        m = mode_coverage(sample(state.G, 500, cfg.z_dim, seed=1), **_modes_args(state))
        log["chunk_end"].append(state.step)
        log["modes"].append(m["modes"])
        log["hq"].append(m["hq"])
    return state


def _modes_args(state: LabState) -> dict:
    return {"centers": state.data.meta["centers"], "std": state.data.meta["std"]}


@dataclass
class LabFrame:
    """한 순간의 그림 재료 (넘파이 배열만): 렌더 함수는 이것만 본다."""

    step: int
    loss: str
    lim: float
    xs: np.ndarray  # (n,)
    field: np.ndarray  # (n, n): 판별자 확률 또는 로짓/비평자 값
    field_label: str
    fake: np.ndarray  # (N, 2)
    arrow_at: np.ndarray  # (M, 2)
    arrows: np.ndarray  # (M, 2): -∇ₓ(생성자 손실), 생성자가 표본을 미는 방향
    grad_norm: float  # 화살표 길이(기울기 노름)의 평균
    modes: int | None = None
    n_modes: int | None = None
    hq: float | None = None


def snapshot(state: LabState, n: int = 500, grid_n: int = 60, n_arrows: int = 60) -> LabFrame:
    """상태에서 그림 재료를 뽑는다: 고정된 z의 표본, 격자 위의 D, 가짜 표본의 기울기."""
    cfg, lim = state.cfg, TARGETS[state.cfg.target]
    fake = sample(state.G, n, cfg.z_dim, seed=1)  # (n, 2)
    prob = cfg.loss in ("minimax", "ns")
    xs, _, vals = eval_grid(state.D, lim, grid_n, torch.sigmoid if prob else None)
    if prob:
        label = "D(x) = sigmoid(로짓)"
    elif cfg.loss == "lsgan":
        label = "D(x) (최소제곱, 진짜 1 · 가짜 0)"
    else:
        label = "비평자 f(x) - 평균"
        vals = vals - vals.mean()
    g_loss = L.get(_fit_kwargs(cfg)["loss"]).g_loss
    at = fake[:n_arrows]
    arrows = -sample_grads(state.D, at, g_loss)  # (M, 2)
    frame = LabFrame(
        state.step, cfg.loss, lim, xs, vals, label, fake.numpy(), at.numpy(), arrows.numpy(),
        float(arrows.norm(dim=1).mean()),
    )  # fmt: skip
    if "centers" in state.data.meta:
        m = mode_coverage(fake, **_modes_args(state))
        frame.modes, frame.n_modes, frame.hq = m["modes"], m["n_modes"], m["hq"]
    return frame


def render_frame(ax, frame: LabFrame, real: np.ndarray | None = None, colorbar: bool = False):
    """한 축(ax)에 열지도 + 진짜(회색)/가짜(주황) 표본 + 기울기 화살표를 그린다."""
    lim = frame.lim
    prob = frame.loss in ("minimax", "ns")
    mid = 0.5 if frame.loss in ("minimax", "ns", "lsgan") else 0.0  # 진짜/가짜 목표값의 가운데
    span = 0.5 if prob else max(float(np.abs(frame.field - mid).max()), 1e-8)
    im = ax.imshow(
        frame.field, origin="lower", extent=(-lim, lim, -lim, lim), cmap="coolwarm",
        vmin=mid - span, vmax=mid + span, alpha=0.75,
    )  # fmt: skip
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=2, c="0.35", label="진짜")
    ax.scatter(frame.fake[:, 0], frame.fake[:, 1], s=3, c="C1", label="가짜")
    norms = np.linalg.norm(frame.arrows, axis=1)
    if norms.max() > 0:  # 길이는 그림마다 가장 긴 화살표에 맞춘다 (실제 크기는 제목의 숫자)
        u = frame.arrows / norms.max() * 0.25 * lim
        ax.quiver(
            frame.arrow_at[:, 0], frame.arrow_at[:, 1], u[:, 0], u[:, 1], color="k",
            angles="xy", scale_units="xy", scale=1, width=0.006,
        )  # fmt: skip
    title = f"{LAB_LOSSES[frame.loss]} · {frame.step}단계"
    sub = rf"평균 $\|\nabla_x\ell\|$={frame.grad_norm:.2g}"
    if frame.modes is not None:
        sub = f"모드 {frame.modes}/{frame.n_modes}, 고품질 {frame.hq:.0%}, " + sub
    ax.set_title(f"{title}\n{sub}", fontsize=9)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])
    if colorbar:
        plt.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=frame.field_label)
    return ax


def render_ganlab(state: LabState, *, n: int = 500, grid_n: int = 60):
    """실험실 상태 → 그림(Figure): 왼쪽은 지형·표본·화살표, 오른쪽은 손실과 모드 커버리지 기록."""
    frame = snapshot(state, n=n, grid_n=grid_n)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 4), gridspec_kw={"width_ratios": [1.15, 1]})
    render_frame(a, frame, state.data.x[:1500].numpy(), colorbar=True)
    log = state.log
    if log["step"]:
        b.plot(log["step"], log["d_loss"], label="판별자/비평자 손실")
        b.plot(log["step"], log["g_loss"], label="생성자 손실")
        b.set_xlabel("생성자 단계")
        b.legend(fontsize=8, loc="upper left")
        if log["modes"]:
            c = b.twinx()
            c.plot(log["chunk_end"], log["modes"], "k.--")
            c.set_ylim(0, frame.n_modes + 0.5)
            c.set_ylabel("잡은 모드 수 (점선)")
    else:
        b.text(0.5, 0.5, "아직 학습 전", ha="center", va="center", transform=b.transAxes)
        b.set_axis_off()
    b.set_title("학습 기록", fontsize=9)
    fig.tight_layout()
    return fig


def lab_animation(
    cfg: LabConfig, steps: int = 300, frames: int = 6, *, dpi: int = 70, size: float = 3.3
):
    """정적 사이트용: steps단계를 frames묶음으로 학습하며 그린 jshtml 애니메이션과 마지막 상태.

    돌려주는 값: (IPython HTML, LabState, [LabFrame]). 프레임은 JPEG로 넣어 노트북을 가볍게 한다.
    """
    from ..plot import animate

    if frames < 1 or steps < frames:
        raise GanBookError(f"steps({steps}) ≥ frames({frames}) ≥ 1이어야 합니다.")
    state = make_lab(cfg)
    shots = [snapshot(state)]
    for _ in range(frames):
        train_chunk(state, steps // frames)
        shots.append(snapshot(state))
    real = state.data.x[:1000].numpy()
    with plt.rc_context({"figure.dpi": dpi, "animation.frame_format": "jpeg"}):
        html = animate(
            lambda ax, i: render_frame(ax, shots[i], real), len(shots), figsize=(size, size + 0.3),
            interval=600,
        )  # fmt: skip
    return html, state, shots


def ganlab_widget(cfg: LabConfig | None = None):
    """ipywidgets 실험실: 목표·손실·학습률·n_critic을 고르고 묶음 단위로 학습하며 그림을 갱신한다."""
    import ipywidgets as W
    from IPython.display import display

    cfg = cfg or LabConfig.recommended()
    box = {"state": make_lab(cfg)}
    target = W.Dropdown(options=list(TARGETS), value=cfg.target, description="목표 분포")
    loss = W.Dropdown(
        options=[(v, k) for k, v in LAB_LOSSES.items()], value=cfg.loss, description="손실"
    )
    lr_g = W.FloatLogSlider(value=cfg.lr_g, base=10, min=-5, max=-1, description="G 학습률")
    lr_d = W.FloatLogSlider(value=cfg.lr_d, base=10, min=-5, max=-1, description="D 학습률")
    k = W.IntSlider(value=cfg.n_critic, min=1, max=10, description="D 단계/G 단계")
    chunk = W.IntSlider(value=100, min=10, max=500, step=10, description="묶음 크기")
    step_btn = W.Button(description="한 묶음 학습", button_style="primary")
    run_btn = W.Button(description="10묶음 실행")
    reset_btn = W.Button(description="처음부터", button_style="warning")
    out = W.Output()

    def redraw():
        with out:
            out.clear_output(wait=True)
            fig = render_ganlab(box["state"])
            display(fig)
            plt.close(fig)

    def reset(*_):
        box["state"] = make_lab(
            dataclasses.replace(
                cfg, target=target.value, loss=loss.value, lr_g=lr_g.value, lr_d=lr_d.value,
                n_critic=k.value,
            )
        )  # fmt: skip
        redraw()

    def on_loss(change):
        g, d, n = RECOMMENDED[change["new"]]
        lr_g.value, lr_d.value, k.value = g, d, n
        reset()

    def train(n_chunks: int):
        st = set_rates(box["state"], lr_g.value, lr_d.value, k.value)
        for _ in range(n_chunks):
            train_chunk(st, chunk.value)
            redraw()

    step_btn.on_click(lambda _: train(1))
    run_btn.on_click(lambda _: train(10))
    reset_btn.on_click(reset)
    target.observe(reset, names="value")
    loss.observe(on_loss, names="value")
    redraw()
    controls = W.VBox([W.HBox([target, loss]), W.HBox([lr_g, lr_d]), W.HBox([k, chunk]),
                       W.HBox([step_btn, run_btn, reset_btn])])  # fmt: skip
    return W.VBox([controls, out])
