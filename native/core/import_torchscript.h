// Import of a traced TorchScript module into the graph IR.
#pragma once

#include <string>
#include <vector>

#include "ir.h"
#include "unsupported_use.h"

namespace lrp {

// Loads `path` (made by torch.jit.trace(...).save; a readable file, as importModel checks) and
// returns its IR. Leaf modules (Conv2d, Linear, BatchNorm2d, ReLU, pools, ...) become nodes named
// by their module path; functional ops in a parent's forward get the parent's path plus the op as
// suffix ("layer1.0.add"). Throws
// Error(UnsupportedOp) naming the operator and the module path for anything it does not know.
// trustCode: load archives whose code runs while they load (a scripted __setstate__).
Graph importTorchScript(const std::string& path, bool trustCode = false);

// Every unsupported operator of the model at `path`, in the order met, each (operator, module)
// once: the TorchScript code read without importing it (importTorchScript stops at the first).
std::vector<UnsupportedUse> unsupportedTorchScriptOperators(const std::string& path, bool trustCode = false);

}  // namespace lrp
