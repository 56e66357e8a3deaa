#!/usr/bin/env bash
# One-time machine setup: Java 17 + Maven (preinstalled on the project's machines), MuJoCo 2.2.2
# from Debian for the locomotion environments, the Noto fonts and Fashion-MNIST for few-shot image
# classification, Debian's OpenBLAS, and every Maven dependency.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
need=()
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v gcc >/dev/null || need+=(gcc)
[ -e /usr/lib/x86_64-linux-gnu/libmujoco.so.2.2.2 ] || need+=(libmujoco2.2.2)
[ -e /usr/include/mujoco/mujoco.h ] || need+=(libmujoco-dev)
# Few-shot image classification (issue 16): the fonts the glyph set is rendered from, and Fashion-MNIST.
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
# Debian's OpenBLAS, which ./maml4j loads in place of ND4J's older bundled one when present.
[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 ] || need+=(libopenblas0-pthread)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi
mvn -q -B dependency:go-offline -DexcludeReactor=true >/dev/null 2>&1 || mvn -q -B dependency:resolve
