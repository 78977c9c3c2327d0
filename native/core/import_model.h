// Model import by file content: a TorchScript archive (a zip) or an ONNX model (a protobuf).
#pragma once

#include <string>

#include <vector>

#include "ir.h"
#include "unsupported_use.h"

namespace lrp {

// Checks that `path` is a readable file and imports it with importTorchScript or importOnnx,
// chosen by its first bytes (a zip archive is TorchScript), not by its name. trustCode applies to
// TorchScript only (an ONNX model holds no code).
Graph importModel(const std::string& path, bool trustCode = false);

// Every operator of the model at `path` that the importer does not know, TorchScript or ONNX
// (chosen as importModel chooses): what `inspect` lists when the load fails.
std::vector<UnsupportedUse> unsupportedOperators(const std::string& path, bool trustCode = false);

}  // namespace lrp
