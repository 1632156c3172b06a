#!/usr/bin/env bash
# 새 기계에서 한 번에 준비한다 (README의 두 명령이 부른다).
#   bash tools/setup.sh site   # 사이트 빌드에 필요한 것: Debian 패키지, .venv + requirements.txt, npm ci
#   bash tools/setup.sh test   # 위에 더해 브라우저 테스트용 chromium과 한글 글꼴(fonts-nanum)
# Debian 패키지는 없을 때만 apt-get으로 설치한다(root이면 그대로, 아니면 sudo). 버전은 Debian 12의
# 보안 갱신을 따르므로 고정하지 않고, Python 패키지는 requirements.txt, JS 라이브러리는 package-lock.json에
# 고정한다.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-site}"

debs=(python3-venv)
if [ "$what" = test ]; then
  debs+=(chromium fonts-nanum)
fi
missing=()
for d in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "install ok installed" || missing+=("$d")
done
# node와 npm은 명령이 있는지로 본다: 다른 저장소(NodeSource 등)의 nodejs는 npm을 함께 싣고, 그 위에 Debian의
# npm 패키지를 더 설치하면 충돌한다.
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Debian 패키지 설치: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "다음 패키지를 설치하세요: ${missing[*]}" >&2
    exit 1
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -r requirements.txt

# 사이트가 함께 싣는 브라우저 라이브러리(MathJax, require.js, 위젯 관리자 …): package-lock.json 그대로
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
