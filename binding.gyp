# node-gyp build of the same sources as CMakeLists.txt (native/sources.txt), with libtorch's
# paths from the same discovery script (scripts/find-libtorch.js), and the ONNX library (libonnx-dev,
# in the system paths) as CMakeLists.txt links it. prebuildify drives this file.
{
  "targets": [
    {
      "target_name": "lrp_node",
      "sources": ["<!@(node -e \"require('fs').readFileSync('native/sources.txt','utf8').split('\\n').filter(l=>l&&!l.startsWith('#')).forEach(l=>console.log(l))\")"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node scripts/find-libtorch.js --include-dirs)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "ONNX_NAMESPACE=onnx", "ONNX_ML=1", "LRP_WITH_CUDA=<!(node scripts/find-libtorch.js --cuda)"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wno-unused-parameter", "<!@(node scripts/find-libtorch.js --cxx-flags)"],
      "ldflags": ["<!@(node scripts/find-libtorch.js --rpath)"],
      "libraries": ["<!@(node scripts/find-libtorch.js --libs)", "-lonnx", "-lonnx_proto", "-lprotobuf"]
    }
  ]
}
