// Errors raised by the core. Each carries a stable code that crosses into JavaScript unchanged
// (error.code), so callers can branch on it without parsing messages.
#pragma once

#include <stdexcept>
#include <string>

namespace lrp {

enum class ErrorCode {
  FileNotFound,    // LRP_FILE_NOT_FOUND
  LoadFailed,      // LRP_LOAD_FAILED: not a TorchScript archive, or unreadable
  UnsupportedOp,   // LRP_UNSUPPORTED_OP: an operator the importer does not know
  BadShape,        // LRP_BAD_SHAPE: an input or intermediate has the wrong rank or size
  BadInput,        // LRP_BAD_INPUT: NaN/Inf, wrong dtype, wrong number of inputs
  BadArgument,     // LRP_BAD_ARGUMENT: an option with an invalid value
  DeviceUnavailable,  // LRP_DEVICE_UNAVAILABLE
  Disposed,        // LRP_DISPOSED: the model was disposed
  Internal,        // LRP_INTERNAL: a bug in lrp-node
};

const char* errorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// The first line of a (possibly multi-line, stack-trace carrying) libtorch message.
std::string firstLine(const std::string& message);

}  // namespace lrp
