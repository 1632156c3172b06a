"""두 선수의 미분 가능한 게임을 기울기로 푸는 시뮬레이터: 쌍선형 게임 min_x max_y xy.

GAN의 비수렴(non-convergence)을 가장 작은 예로 보여 준다. x는 최소화하는 선수(생성자 역할),
y는 최대화하는 선수(판별자 역할)다. 갱신 방식은 셋이다.

- 'simultaneous'(동시): x' = x - η∂ₓf(x, y),  y' = y + η∂ᵧf(x, y)
- 'alternating'(교대):  x' = x - η∂ₓf(x, y),  y' = y + η∂ᵧf(x', y)   (새 x'를 보고 움직인다)
- 'extragradient'(외삽 기울기): 반 걸음 앞을 내다본 점의 기울기로 움직인다 (Korpelevich, 1976)

f(x, y) = a·xy에서 동시 갱신은 반지름을 매 단계 정확히 √(1 + a²η²)배로 키우고(바깥으로 도는 나선),
교대 갱신은 x² + y² - aη·xy를 보존한다(aη < 2이면 닫힌 타원 궤도), 외삽 기울기는 √(1 - a²η² + a⁴η⁴)배로
줄인다(aη < 1이면 균형점으로 수렴).

    traj = simulate(bilinear(), (1.0, 0.0), lr=0.1, steps=100, mode="simultaneous")   # (101, 2)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .errors import GanBookError, unknown_name

# 게임의 기울기: (x, y) -> (∂f/∂x, ∂f/∂y)
GradFn = Callable[[float, float], tuple[float, float]]
MODES = ("simultaneous", "alternating", "extragradient")


def bilinear(a: float = 1.0) -> GradFn:
    """f(x, y) = a·x·y 의 기울기 (∂ₓf, ∂ᵧf) = (a·y, a·x). 유일한 내시 균형(Nash equilibrium)은 (0, 0)."""

    def grad(x: float, y: float) -> tuple[float, float]:
        return a * y, a * x

    return grad


def step(grad: GradFn, x: float, y: float, lr: float, mode: str) -> tuple[float, float]:
    """한 번의 갱신. x는 f를 줄이고(경사 하강), y는 f를 키운다(경사 상승)."""
    if mode == "simultaneous":
        gx, gy = grad(x, y)
        return x - lr * gx, y + lr * gy
    if mode == "alternating":
        gx, _ = grad(x, y)
        x_new = x - lr * gx
        _, gy = grad(x_new, y)  # y는 이미 움직인 x를 본다
        return x_new, y + lr * gy
    if mode == "extragradient":
        gx, gy = grad(x, y)
        xh, yh = x - lr * gx, y + lr * gy  # 내다본 점
        gx, gy = grad(xh, yh)
        return x - lr * gx, y + lr * gy
    raise unknown_name("갱신 방식(update mode)", mode, MODES)


def simulate(
    grad: GradFn, start: tuple[float, float], lr: float, steps: int, mode: str = "simultaneous"
) -> np.ndarray:
    """start에서 steps번 갱신한 궤적(trajectory) (steps + 1, 2)을 돌려준다 (첫 행이 start)."""
    if lr <= 0 or steps < 1:
        raise GanBookError(
            f"학습률(learning rate) lr > 0, 단계 수(steps) ≥ 1이어야 합니다: lr={lr}, steps={steps}"
        )
    if mode not in MODES:
        raise unknown_name("갱신 방식(update mode)", mode, MODES)
    traj = np.empty((steps + 1, 2), dtype=np.float64)
    x, y = map(float, start)
    traj[0] = x, y
    for t in range(1, steps + 1):
        x, y = step(grad, x, y, lr, mode)
        traj[t] = x, y
    return traj


def radius(traj: np.ndarray) -> np.ndarray:
    """궤적의 각 점에서 균형점 (0, 0)까지의 거리 (steps + 1,)."""
    return np.hypot(traj[:, 0], traj[:, 1])


def radius_factor(lr: float, mode: str, a: float = 1.0) -> float:
    """쌍선형 게임 a·xy에서 한 단계가 반지름을 몇 배로 바꾸는가 (닫힌 꼴).

    동시: √(1 + a²η²) (항상 > 1),  외삽 기울기: √(1 - a²η² + a⁴η⁴) (aη < 1이면 < 1).
    교대 갱신은 반지름이 단계마다 다르게 변하므로(타원 궤도) 한 값이 없다: `conserved`를 쓴다.
    """
    h = a * lr
    if mode == "simultaneous":
        return math.sqrt(1 + h * h)
    if mode == "extragradient":
        return math.sqrt(1 - h * h + h**4)
    if mode == "alternating":
        raise GanBookError(
            "교대 갱신(alternating)은 한 단계의 반지름 배율이 일정하지 않습니다: conserved()를 쓰세요."
        )
    raise unknown_name("갱신 방식(update mode)", mode, MODES)


def conserved(traj: np.ndarray, lr: float, a: float = 1.0) -> np.ndarray:
    """교대 갱신이 보존하는 양 Q = x² + y² - aη·xy 을 궤적의 각 점에서 (steps + 1,)."""
    x, y = traj[:, 0], traj[:, 1]
    return x * x + y * y - a * lr * x * y


def running_mean(traj: np.ndarray) -> np.ndarray:
    """궤적의 균등 평균: t번째 행은 처음 t+1개 점의 평균 (steps + 1, 2). 폴리악(Polyak) 평균."""
    traj = np.asarray(traj, dtype=np.float64)
    return np.cumsum(traj, axis=0) / np.arange(1, len(traj) + 1)[:, None]


def ema(traj: np.ndarray, decay: float) -> np.ndarray:
    """궤적의 지수 이동 평균(EMA): m_0 = p_0, m_t = decay·m_{t-1} + (1 - decay)·p_t  (steps + 1, 2).

    생성자 가중치의 EMA(Yazıcı et al., 2019)를 쌍선형 게임의 점 (x, y)에 적용한 것.
    """
    if not 0.0 <= decay < 1.0:
        raise GanBookError(f"EMA의 감쇠율(decay)은 0 이상 1 미만이어야 합니다: {decay}")
    traj = np.asarray(traj, dtype=np.float64)
    out = np.empty_like(traj)
    out[0] = traj[0]
    for t in range(1, len(traj)):
        out[t] = decay * out[t - 1] + (1.0 - decay) * traj[t]
    return out
