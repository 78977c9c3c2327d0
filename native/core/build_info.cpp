#include "build_info.h"

#include <torch/version.h>

#include "errors.h"

#ifndef LRP_WITH_CUDA
#define LRP_WITH_CUDA 0
#endif
#if LRP_WITH_CUDA
#define LRP_CUDA_JSON "true"
#else
#define LRP_CUDA_JSON "false"
#endif

// Read from the file by lib/native/binding.ts before it loads the binary, so a libtorch mismatch is
// reported by version instead of as a dlopen or symbol error.
extern "C" __attribute__((used, visibility("default"))) const char lrp_node_build_info[] =
    "LRP_NODE_BUILD_INFO:{\"libtorch\":\"" TORCH_VERSION "\",\"cuda\":" LRP_CUDA_JSON "}:END";

namespace lrp {

std::string libtorchVersion() { return TORCH_VERSION; }

bool builtWithCuda() { return LRP_WITH_CUDA != 0; }

std::vector<std::string> availableBackends() {
  std::vector<std::string> out{"cpu"};
  if (at::hasCUDA()) out.push_back("cuda");
  return out;
}

at::Device parseDevice(const std::string& name) {
  c10::optional<at::Device> device;
  try {
    device = at::Device(name);
  } catch (const c10::Error&) {
    throw Error(ErrorCode::BadArgument, "unknown device '" + name + "' (use cpu, cuda or cuda:N)");
  }
  if (device->is_cuda() && !at::hasCUDA()) {
    throw Error(ErrorCode::DeviceUnavailable,
                "device '" + name + "' requested but CUDA is not usable (" +
                    (builtWithCuda() ? "no CUDA device found" : "this lrp-node binary was built without CUDA") + ")");
  }
  if (!device->is_cpu() && !device->is_cuda()) {
    throw Error(ErrorCode::BadArgument, "unsupported device '" + name + "' (use cpu, cuda or cuda:N)");
  }
  return *device;
}

at::ScalarType parseDtype(const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "float64") return at::kDouble;
  throw Error(ErrorCode::BadArgument, "unknown dtype '" + name + "' (use float32 or float64)");
}

}  // namespace lrp
