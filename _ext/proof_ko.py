"""sphinx-proof의 증명 블록 머리말 "Proof."를 "증명."으로 바꾼다.

sphinx-proof는 정리·정의의 이름은 번역하지만(언어 ko → "정리") 증명 블록에는 영어 "Proof. "를 붙박아 넣는다.
그 지시어를 이어받아 첫 문단 앞의 그 글자만 바꾼다.
"""

from docutils import nodes
from sphinx_proof.directive import ProofDirective

HEAD_EN, HEAD_KO = "Proof. ", "증명. "


class KoreanProofDirective(ProofDirective):
    def run(self):
        out = super().run()
        for text in out[0].findall(nodes.Text):
            if text.astext().startswith(HEAD_EN):
                text.parent.replace(text, nodes.Text(HEAD_KO + text.astext()[len(HEAD_EN) :]))
            break  # 첫 글자 조각만 본다
        return out


def setup(app):
    app.setup_extension("sphinx_proof")
    app.add_directive_to_domain("prf", "proof", KoreanProofDirective, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
