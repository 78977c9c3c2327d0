// What this binary was built against, and what it can run on.
#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace lrp {

// The libtorch version of the headers this binary was compiled with ("1.13.0").
std::string libtorchVersion();
bool builtWithCuda();
// "cpu", plus "cuda" when a CUDA device is usable.
std::vector<std::string> availableBackends();
// "cpu", "cuda" or "cuda:N"; throws DeviceUnavailable when it cannot run here.
at::Device parseDevice(const std::string& name);
// "float32" or "float64".
at::ScalarType parseDtype(const std::string& name);

}  // namespace lrp
