"""한국어 검색 언어(_ext/search_ko.py): 조사·어미를 떼는 규칙과, 같은 규칙의 JavaScript Stemmer."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import search_ko  # noqa: E402

CASES = {
    "판별자가": "판별자",
    "판별자의": "판별자",
    "판별자를": "판별자",
    "판별자는": "판별자",
    "판별자": "판별자",
    "생성자가": "생성자",
    "생성자에게": "생성자",
    "생성자에서는": "생성자",
    "잠재": "잠재",
    "학습한다": "학습",
    "차이": "차이",  # 떼고 한 글자만 남으면 떼지 않는다
    "GAN": "gan",
    "GANs": "gan",  # 로마자 낱말은 포터 어간 (Sphinx의 영어 검색과 같다)
    "Wasserstein": "wasserstein",
    "discriminators": "discrimin",
    "discriminator": "discrimin",
    "gradients": "gradient",
    "DCGAN의": "dcgan의",  # 한글만으로 된 낱말만 다룬다
}


@pytest.mark.parametrize("word,stem", CASES.items())
def test_stem(word, stem):
    assert search_ko.stem_ko(word) == stem


def test_split_and_stem_through_sphinx_language():
    lang = search_ko.SearchKorean({})
    words = lang.split("판별자의 출력은 생성자가 만든 그림을 판별자가 본다")
    assert [lang.stem(w) for w in words] == [
        "판별자", "출력", "생성자", "만든", "그림", "판별자", "본다",
    ]  # fmt: skip


def test_javascript_stemmer_matches_python():
    node = shutil.which("node") or pytest.skip("node가 없습니다")
    words = [*CASES, "모드의", "비평자로", "기울기", "생성적", "수식에서"]
    words += [
        "generative",
        "adversarial",
        "networks",
        "training",
        "normalization",
        "truncation",
        "relu",
        "sigmoid",
    ]
    words += [
        "spectral",
        "instance",
        "progressive",
        "growing",
        "mixing",
        "wgan",
        "cyclegan",
        "singan",
        "lpips",
    ]
    script = search_ko.SearchKorean.js_stemmer_code + (
        f"\nvar s = new Stemmer(); console.log(JSON.stringify({json.dumps(words)}.map(w => s.stemWord(w))));"
    )
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [search_ko.stem_ko(w) for w in words]


def test_endings_longest_first():
    lengths = [len(e) for e in search_ko.ENDINGS]
    assert lengths == sorted(lengths, reverse=True)
