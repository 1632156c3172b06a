"""공통 픽스처. 테스트는 CPU에서, 적은 스레드로, 인터넷 없이 돈다."""

import os

import pytest

os.environ.setdefault("GANBOOK_MODE", "quick")


@pytest.fixture(autouse=True)
def _seed():
    import torch

    torch.manual_seed(0)
    yield


# pytest-xdist로 두 작업자가 함께 돌 때, 각자(와 nbval이 띄우는 커널)가 코어 하나씩 쓰게 한다.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"
