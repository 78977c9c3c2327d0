#include "errors.h"

namespace lrp {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::FileNotFound: return "LRP_FILE_NOT_FOUND";
    case ErrorCode::LoadFailed: return "LRP_LOAD_FAILED";
    case ErrorCode::UnsupportedOp: return "LRP_UNSUPPORTED_OP";
    case ErrorCode::BadShape: return "LRP_BAD_SHAPE";
    case ErrorCode::BadInput: return "LRP_BAD_INPUT";
    case ErrorCode::BadArgument: return "LRP_BAD_ARGUMENT";
    case ErrorCode::DeviceUnavailable: return "LRP_DEVICE_UNAVAILABLE";
    case ErrorCode::Disposed: return "LRP_DISPOSED";
    case ErrorCode::Internal: return "LRP_INTERNAL";
  }
  return "LRP_INTERNAL";
}

std::string firstLine(const std::string& message) {
  auto end = message.find('\n');
  std::string line = end == std::string::npos ? message : message.substr(0, end);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line;
}

}  // namespace lrp
