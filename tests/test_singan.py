"""SinGAN: 피라미드 크기(공식 식), 잔차 연결, 고정 재구성 잡음, 잡음 세기 = RMSE, 임의 크기, 기울기, 학습."""

import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

import gancore as gc
from gancore.errors import GanBookError
from gancore.metrics import patches as P
from gancore.models import singan as S
from gancore.train import TrainConfig

TINY = S.Recipe(
    TrainConfig(steps=3, lr_g=5e-4, lr_d=5e-4, betas=(0.5, 0.999), n_critic=3, log_every=1),
    min_size=12,
    max_size=20,
    nfc=4,
    nfc_max=4,
)


def official_sizes(h, w, r0, min_size, max_size):
    """공식 SinGAN `adjust_scales2image`와 `creat_reals_pyramid`를 그대로 옮긴 것 (imresize: ceil)."""
    num_scales = math.ceil(math.log(math.pow(min_size / min(h, w), 1), r0)) + 1
    scale2stop = math.ceil(math.log(min([max_size, max([h, w])]) / max([h, w]), r0))
    stop_scale = num_scales - scale2stop
    scale1 = min(max_size / max([h, w]), 1)
    h1, w1 = round(h * scale1, 6), round(w * scale1, 6)
    h1, w1 = math.ceil(h1), math.ceil(w1)
    r = math.pow(min_size / min(h1, w1), 1 / stop_scale)
    out = []
    for i in range(stop_scale + 1):
        s = math.pow(r, stop_scale - i)
        out.append((math.ceil(round(h1 * s, 6)), math.ceil(round(w1 * s, 6))))
    return out, r


@pytest.mark.parametrize("hw", [(512, 512), (300, 451), (427, 640), (250, 400), (90, 60)])
def test_pyramid_sizes_match_official_formula(hw):
    got, r = S.pyramid_sizes(*hw)
    want, r_want = official_sizes(*hw, 0.75, 25, 250)
    assert got == want and r == pytest.approx(r_want)
    assert min(got[0]) == 25 and max(got[-1]) == min(250, max(hw))
    assert 0.7 < r < 0.85  # 0.75 근처로 다시 맞춘 비율 (척도 수가 정수라 조금 벗어난다)


def test_pyramid_sizes_paper_setting_and_errors():
    sizes, r = S.pyramid_sizes(512, 512)  # FULL: 25 … 250, 10 척도
    assert len(sizes) == 10 and sizes[0] == (25, 25) and sizes[-1] == (250, 250)
    q, _ = S.pyramid_sizes(512, 512, 0.75, S.QUICK.min_size, S.QUICK.max_size)
    assert q[0] == (16, 16) and q[-1] == (48, 48)
    with pytest.raises(GanBookError, match="min_size"):
        S.pyramid_sizes(20, 20)
    with pytest.raises(GanBookError, match="scale factor"):
        S.pyramid_sizes(100, 100, factor=1.2)


def test_generator_residual_wiring():
    torch.manual_seed(0)
    G = gc.models.build("singan_g", nfc=4).eval()
    z, prev = torch.randn(2, 3, 13, 17), torch.randn(2, 3, 13, 17)
    out = G(z, prev)
    assert out.shape == prev.shape
    torch.testing.assert_close(out - prev, G.body(F.pad(z + prev, [5] * 4)))
    d = torch.randn_like(z)  # ψ는 z + prev만 본다: 합이 같으면 잔차도 같다
    torch.testing.assert_close(G(z + d, prev - d) - (prev - d), out - prev)
    convs = [m for m in G.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 5 and all(c.kernel_size == (3, 3) and c.padding == (0, 0) for c in convs)
    with torch.no_grad():  # 마지막 합성곱이 0이면 tanh(0) = 0: 출력은 prev 그대로
        convs[-1].weight.zero_()
        convs[-1].bias.zero_()
    torch.testing.assert_close(G(z, prev), prev)


def test_critic_patch_output_and_shape_errors():
    D = gc.models.build("singan_d", nfc=4)
    assert D(torch.randn(1, 3, 25, 30)).shape == (1, 1, 15, 20)
    G = gc.models.build("singan_g", nfc=4)
    with pytest.raises(GanBookError, match="tensor shape"):
        G(torch.randn(1, 3, 8, 8), torch.randn(1, 3, 9, 9))
    with pytest.raises(GanBookError, match="tensor shape"):
        D(torch.randn(1, 1, 20, 20))


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    img = torch.rand(1, 3, 40, 30) * 2 - 1
    seen = []  # 콜백이 받은 단계: fit의 callbacks는 모든 척도의 run에 간다
    pyr, hists = S.fit(img, TINY, progress=False, callbacks=[lambda st: seen.append(st.step)])
    return img, pyr, hists, seen


def test_fit_runs_scale_by_scale(trained):
    img, pyr, hists, seen = trained
    sizes, _ = S.pyramid_sizes(40, 30, TINY.factor, TINY.min_size, TINY.max_size)
    assert [s.size for s in pyr.scales] == sizes and len(hists) == len(sizes)
    assert seen == list(range(1, TINY.cfg.steps + 1)) * len(sizes)
    for h in hists:
        assert h.step[-1] == TINY.cfg.steps and all(math.isfinite(v) for v in h["g_rec"])
    for s in pyr.scales:  # 학습이 끝난 척도는 얼어 있고 남은 기울기도 없다
        assert not any(p.requires_grad or p.grad is not None for p in s.G.parameters())


def test_fixed_reconstruction_noise_and_amplitude(trained):
    img, pyr, _, _ = trained
    assert pyr[0].amp == 1.0 and pyr[0].z_rec.abs().sum() > 0
    assert torch.equal(pyr[0].z_rec[:, 0], pyr[0].z_rec[:, 1])  # 가장 거친 척도: 회색 잡음
    for n in range(1, len(pyr)):
        assert torch.equal(pyr[n].z_rec, torch.zeros_like(pyr[n].real))
        with (
            torch.no_grad()
        ):  # σ_n = 0.1 · RMSE(x_n, up(x̃_rec_{n−1})), 재구성을 손으로 다시 계산한다
            x = None
            for i in range(n):
                s = pyr[i]
                prev = torch.zeros_like(s.real) if x is None else S.resize(x, s.size)
                x = s.G(s.amp * s.z_rec, prev)
            up = S.resize(x, pyr[n].size)
        rmse = torch.sqrt(((pyr[n].real - up) ** 2).mean()).item()
        assert pyr[n].amp == pytest.approx(TINY.amp_init * rmse, rel=1e-5)
    r1, r2 = pyr.reconstruct(), pyr.reconstruct()
    assert torch.equal(r1, r2) and torch.equal(pyr.sample(1, start=len(pyr)), r1)


def test_sampling_sizes_seeds_and_start(trained):
    img, pyr, _, _ = trained
    h, w = pyr[-1].size
    a, b = pyr.sample(3, seed=0), pyr.sample(3, seed=0)
    assert a.shape == (3, 3, h, w) and torch.equal(a, b)
    assert not torch.equal(a, pyr.sample(3, seed=1))
    wide = pyr.sample(2, seed=0, scale_hw=(1.0, 2.0))
    assert wide.shape == (2, 3, h, round(w * 2))
    mid = pyr.sample(2, seed=0, start=1)
    assert mid.shape == (2, 3, h, w)
    with pytest.raises(GanBookError, match="start"):
        pyr.sample(1, start=1, scale_hw=(1.0, 2.0))
    with pytest.raises(GanBookError, match="척도 번호"):
        pyr.sample(1, start=len(pyr) + 1)


def test_step_losses_and_gradients(trained):
    img, pyr, _, _ = trained
    n = len(pyr) - 1
    s = pyr[n]
    s.G.requires_grad_(True)
    s.D.requires_grad_(True)
    step = S.SinGANStep(pyr, n, alpha=10.0, gp_weight=0.1)
    d = step.loss("D", None, 0)
    torch.testing.assert_close(d, step.d_fake - step.d_real + step.gp)
    d.backward()
    assert all(p.grad is not None for p in s.D.parameters())
    assert all(p.grad is None for p in s.G.parameters())  # 비평자 국면은 G에 기울기를 주지 않는다
    s.D.zero_grad(set_to_none=True)
    g = step.loss("G", None, 0)
    torch.testing.assert_close(g, step.g_adv + 10.0 * step.g_rec)
    g.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in s.G.parameters())
    assert all(p.grad is None for p in s.D.parameters())
    coarser = [p for c in pyr.scales[:n] for p in c.G.parameters()]
    assert all(p.grad is None for p in coarser)  # 거친 척도는 얼어 있다
    with pytest.raises(GanBookError, match="phase"):
        step.loss("X", None, 0)
    s.G.requires_grad_(False)
    s.D.requires_grad_(False)


def test_pixel_gradient_penalty_matches_hand_computation():
    torch.manual_seed(0)
    D = torch.nn.Conv2d(3, 1, 1, bias=False)  # 선형 비평자: ∇ₓ는 화소마다 가중치 벡터 w
    real, fake = torch.randn(1, 3, 6, 6), torch.randn(1, 3, 6, 6)
    gp = S.gradient_penalty_pixel(D, real, fake, weight=0.1)
    want = 0.1 * (D.weight.flatten().norm() - 1) ** 2
    torch.testing.assert_close(gp, want)


def test_generator_steps_reuse_no_stale_graph():
    """공식 코드의 방식(D 국면의 가짜 그래프를 retain_graph로 G 갱신 세 번에 다시 쓰기)은 이 torch에서 오류가 나고,
    우리 단계 객체는 같은 세 번의 갱신을 오류 없이 한다."""
    torch.manual_seed(0)
    G, D = S.ScaleGenerator(3, 4), S.PatchCritic(3, 4)
    opt = torch.optim.Adam(G.parameters(), lr=5e-4, betas=(0.5, 0.999))
    z, prev = torch.randn(1, 3, 16, 16), torch.zeros(1, 3, 16, 16)
    fake = G(z, prev)
    with pytest.raises(RuntimeError, match="inplace"):
        for _ in range(3):
            opt.zero_grad()
            (-D(fake).mean()).backward(retain_graph=True)
            opt.step()
    img = torch.rand(1, 3, 24, 24) * 2 - 1
    rec = dataclasses.replace(TINY, cfg=dataclasses.replace(TINY.cfg, steps=2))
    pyr, hists = S.fit(img, rec, progress=False)
    assert len(pyr) >= 2 and all(h.step[-1] == 2 for h in hists)


def test_full_recipe_starts():
    """FULL(논문의 0.75, 25, 250, nfc 32)의 첫 두 척도를 2단계씩 돈다 (전체는 GPU용)."""
    full = dataclasses.replace(S.FULL, cfg=dataclasses.replace(S.FULL.cfg, steps=2, log_every=1))
    img = S.resize(gc.data.load_photo(), (250, 250))
    sizes, _ = S.pyramid_sizes(250, 250, full.factor, full.min_size, full.max_size)
    assert sizes[0] == (25, 25) and full.nfc_at(0) == 32 and full.nfc_at(9) == 128
    pyr = S.Pyramid()
    for n in range(2):
        S.add_scale(pyr, S.resize(img, sizes[n]), full)
        h = S.fit_scale(pyr, n, full, desc="full", progress=False)
        assert h.step[-1] == 2
    assert pyr[1].G.body[0].out_channels == 32


def test_patch_metrics():
    torch.manual_seed(0)
    ref = gc.data.load_photo()[..., 100:148, 100:148]  # (1, 3, 48, 48)
    assert P.patches(ref, 7).shape == (42 * 42, 3 * 49)
    assert P.nearest_patch_distance(ref, ref) == pytest.approx(0.0, abs=1e-7)
    crop = ref[..., 3:40, 5:44]  # 오려 낸 조각도 복사다
    assert P.nearest_patch_distance(crop, ref) == pytest.approx(0.0, abs=1e-7)
    assert P.patch_fd(ref, ref) == pytest.approx(0.0, abs=1e-4)
    blurred = P.blur(ref, 1.0)
    assert blurred.shape == ref.shape and P.patch_fd(blurred, ref) > 0.05
    assert P.nearest_patch_distance(blurred, ref) > 0.01
    sh = P.shuffle_tiles(ref, 16, seed=0)
    assert sh.shape == ref.shape and not torch.equal(sh, ref)
    assert torch.equal(
        sh.flatten().sort().values, ref.flatten().sort().values
    )  # 화소는 그대로, 자리만
    tile = sh[..., :16, :16]
    assert P.nearest_patch_distance(tile, ref, k=16) == pytest.approx(0.0, abs=1e-7)


def test_load_photo_and_errors():
    x = gc.data.load_photo("immunohistochemistry")
    assert x.shape == (1, 3, 512, 512) and x.min() >= -1 and x.max() <= 1
    with pytest.raises(GanBookError, match="사진"):
        gc.data.load_photo("no_such_photo")
    with pytest.raises(GanBookError, match="tensor shape"):
        S.fit(torch.zeros(1, 1, 40, 40), TINY, progress=False)
    with pytest.raises(GanBookError, match="kind"):
        S.Pyramid().prev(0, "random")
