#include "import_model.h"

#include <filesystem>
#include <fstream>

#include "errors.h"
#include "import_onnx.h"
#include "import_torchscript.h"

namespace lrp {

namespace {

// Checks that `path` is a readable file; whether it is a zip archive (TorchScript).
bool isTorchScriptArchive(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::FileNotFound, "model file not found: " + path);
  if (std::filesystem::is_directory(path, ec)) throw Error(ErrorCode::LoadFailed, "model path is a directory: " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) throw Error(ErrorCode::LoadFailed, "cannot read model file " + path + " (permission denied or unreadable)");
  char magic[4] = {0, 0, 0, 0};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

}  // namespace

Graph importModel(const std::string& path, bool trustCode) {
  return isTorchScriptArchive(path) ? importTorchScript(path, trustCode) : importOnnx(path);
}

std::vector<UnsupportedUse> unsupportedOperators(const std::string& path, bool trustCode) {
  return isTorchScriptArchive(path) ? unsupportedTorchScriptOperators(path, trustCode) : unsupportedOnnxOperators(path);
}

}  // namespace lrp
