// Where the time of a native call goes, for the benchmarks (docs/benchmarks.md, "Profiles"). A
// ProfileSession runs libtorch's profiler on the calling thread and, when it ends, writes for every
// named phase (a ProfileScope: "forward conv2d", "relevance conv2d", "z-terms", …) its calls, its
// wall time, and the time of each ATen operator run directly inside it (self time), as JSON.
// Without a session a ProfileScope costs one check.
#pragma once

#include <memory>
#include <string>

#include <ATen/record_function.h>

namespace lrp {

class ProfileSession {
 public:
  // An empty path profiles nothing.
  explicit ProfileSession(std::string path);
  ~ProfileSession();
  ProfileSession(const ProfileSession&) = delete;
  ProfileSession& operator=(const ProfileSession&) = delete;

 private:
  std::string path_;
};

class ProfileScope {
 public:
  // The phase's name in the profile: `phase`, then the operator and the layer, space-separated.
  explicit ProfileScope(const char* phase, const char* op = nullptr, const std::string* layer = nullptr);

 private:
  at::RecordFunction guard_;
};

}  // namespace lrp
