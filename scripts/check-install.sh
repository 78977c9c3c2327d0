#!/usr/bin/env bash
# The install check of docs/install.md, as an npm user meets the package:
#   1. npm pack (with the CPU prebuild; built by `npm run build:prebuild` when missing);
#   2. a fresh project, `npm install <tarball>` with this machine's npm and no flags, then
#      `npx lrp-node doctor`, a forward through the API and one through the CLI, checked against
#      TorchScript's output, and the same for the model exported to ONNX; then a plain `tsc --strict` consumer on the TypeScript that
#      `npm i -D typescript` installs today;
#   3. the same install, doctor and forward in a simulated production image: a private mount
#      namespace (unshare -m, needs root) where only libtorch's runtime libraries are left: the
#      headers, the CMake config and the unversioned .so links of libtorch-dev and libonnx-dev
#      (whose runtime libonnx1 and libprotobuf32 libtorch1.13 depends on) are hidden, and so
#      are g++, gcc, cc, c++, cmake and make. `npx lrp-node build` must then fail with its remedy.
# Slow (minutes, and it downloads the dependencies): not part of `npm test`.
# Usage: scripts/check-install.sh [--keep]   (--keep leaves the scratch folder for a look)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
platform=$(node -p 'process.platform + "-" + process.arch')
work=$(mktemp -d /tmp/lrp-check-install-XXXXXX)
models=$repo/test/fixtures/models
[ "${1:-}" = --keep ] || trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }
seconds() { node -e 'console.log(((Date.now() - Number(process.argv[1])) / 1000).toFixed(1))' "$1"; }
now() { node -p 'Date.now()'; }

step "package: dist/ and the CPU prebuild"
(cd "$repo" && npx tsc -p tsconfig.json)
if [ ! -f "$repo/prebuilds/$platform/lrp-node.cpu.node" ]; then (cd "$repo" && npm run build:prebuild); fi
tarball=$work/$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)
echo "$tarball ($(du -h "$tarball" | cut -f1))"

# The consumer's forward through the API, checked against TorchScript's logits.
cat > "$work/forward.js" <<'EOF'
const lrp = require('lrp-node');
const [model, input, expected] = process.argv.slice(2);
(async () => {
  const m = await lrp.loadModel(model);
  const y = await m.forward(await lrp.readNpy(input));
  const want = await lrp.readNpy(expected);
  let max = 0;
  for (let i = 0; i < want.data.length; i++) max = Math.max(max, Math.abs(y.data[i] - want.data[i]));
  console.log(`forward via the API: logits [${y.shape}] from ${lrp.loadedBinary()}, max |lrp-node - TorchScript's logits| = ${max.toExponential(2)} (${model.split('/').pop()})`);
  if (!(max <= 1e-4) || y.data.length !== want.data.length) process.exit(1);
})().catch((error) => { console.error(error.message); process.exit(1); });
EOF

# install_and_run DIR: a fresh project in DIR, the tarball installed, doctor, API and CLI forward.
install_and_run() {
  mkdir -p "$1" && cd "$1"
  npm init -y > /dev/null
  local start; start=$(now)
  npm install "$tarball"
  echo "npm install took $(seconds "$start") s"
  if [ -e node_modules/lrp-node/build ]; then echo "FAIL: the install compiled something (node_modules/lrp-node/build)"; exit 1; fi
  npx lrp-node doctor
  cp "$work/forward.js" "$1/forward.js"
  node "$1/forward.js" "$models/vgg.pt" "$models/vgg.input0.npy" "$models/vgg.output.npy"
  npx lrp-node forward --model "$models/vgg.pt" --input "$models/vgg.input0.npy" --out "$1/logits.npy"
  echo "forward via the CLI: wrote $1/logits.npy"
  node "$1/forward.js" "$models/vgg.opset17.onnx" "$models/vgg.input0.npy" "$models/vgg.output.npy"
  npx lrp-node forward --model "$models/vgg.opset17.onnx" --input "$models/vgg.input0.npy" --out "$1/logits-onnx.npy"
  echo "ONNX forward via the CLI: wrote $1/logits-onnx.npy"
}

step "1. a fresh project on this machine (libtorch-dev and compilers present)"
install_and_run "$work/plain"

step "1b. a plain tsc --strict consumer, with the TypeScript npm i -D typescript installs"
cd "$work/plain"
if npm install -D typescript > "$work/typescript-install.log" 2>&1; then
  cp "$repo/test/types/consumer.ts" consumer.ts
  echo "TypeScript $(npx tsc --version)"
  npx tsc --strict --noEmit consumer.ts && echo "consumer.ts compiles (every @ts-expect-error line is used)"
else
  echo "SKIPPED: npm install -D typescript failed (no registry?); see $work/typescript-install.log"
fi

step "2. a simulated production image: libtorch runtime only, no compiler, no dev files"
export work tarball repo models
export -f install_and_run seconds now
libdir=$(cd "$repo" && node -p "require('./dist/native/libtorch_runtime').findRuntimeLibtorch().found.libDir")
unshare -m bash -s "$libdir" <<'INNER'
set -euo pipefail
libdir=$1
mount --make-rprivate /
mkdir -p "$work/hide/empty" "$work/hide/upper/cmake" "$work/hide/work"
: > "$work/hide/not-a-program"
for dir in /usr/include/torch /usr/include/ATen /usr/include/c10 /usr/include/caffe2 /usr/include/onnx; do
  if [ -d "$dir" ]; then mount --bind "$work/hide/empty" "$dir"; fi
done
# An overlay on the library folder whose upper layer holds whiteouts (0:0 character devices):
# the unversioned .so links and the CMake configs of libtorch-dev disappear; the versioned
# runtime libraries (libtorch_cpu.so.1.13.0, ...) stay.
for link in "$libdir"/lib{torch,torch_cpu,torch_cuda,torch_global_deps,torch_python,c10,c10_cuda,shm,caffe2_detectron_ops,caffe2_module_test_dynamic,caffe2_observers,onnx,onnx_proto}.so; do
  if [ -e "$link" ]; then mknod "$work/hide/upper/$(basename "$link")" c 0 0; fi
done
for config in Torch ATen Caffe2 ONNX; do
  if [ -e "$libdir/cmake/$config" ]; then mknod "$work/hide/upper/cmake/$config" c 0 0; fi
done
mount -t overlay overlay -o "lowerdir=$libdir,upperdir=$work/hide/upper,workdir=$work/hide/work" "$libdir"
for tool in g++ gcc cc c++ cmake make clang clang++; do
  path=$(command -v "$tool" || true)
  if [ -n "$path" ]; then mount --bind "$work/hide/not-a-program" "$(readlink -f "$path")"; fi
done
hash -r
runnable=$(for t in g++ gcc cc c++ cmake make; do if "$t" --version > /dev/null 2>&1; then echo "$t"; fi; done | tr '\n' ' ')
echo "compilers that still run: ${runnable:-none}"
if [ -n "$runnable" ]; then echo "FAIL: compilers were not hidden"; exit 1; fi
echo "libtorch headers left: $(ls /usr/include/torch | wc -l) entries in /usr/include/torch"
echo "libtorch libraries left: $(ls "$libdir" | grep -E '^lib(torch|c10)' | tr '\n' ' ')"
echo "ONNX libraries left: $(ls "$libdir" | grep -E '^lib(onnx|protobuf)' | tr '\n' ' '); headers: $(ls /usr/include/onnx 2>/dev/null | wc -l) entries in /usr/include/onnx"
if node "$repo/scripts/find-libtorch.js" > /dev/null 2>&1; then echo "FAIL: the build-time finder still sees libtorch-dev"; exit 1; fi
echo "build-time finder: no libtorch dev files (as intended)"

install_and_run "$work/production"
echo
echo "$ npx lrp-node build   (expected to fail here: no compiler, no headers)"
if (cd "$work/production" && npx lrp-node build 2>&1 | head -n 8); then :; fi
if (cd "$work/production" && npx lrp-node build > /dev/null 2>&1); then echo "FAIL: a build succeeded without a compiler"; exit 1; fi
INNER
step "done: installed and ran with and without compilers and libtorch dev files"
