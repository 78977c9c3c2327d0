#include "profile.h"

#include <fstream>
#include <map>
#include <vector>

#include <torch/csrc/autograd/profiler_legacy.h>

namespace lrp {

namespace {

namespace legacy = torch::autograd::profiler;

constexpr const char* kPhasePrefix = "lrp::";

struct PhaseTotals {
  int64_t calls = 0;
  double wallUs = 0;                       // inclusive
  std::map<std::string, double> opSelfUs;  // ATen operators directly inside, by name; "(own)" for the rest
};

struct Open {
  std::string name;
  double startUs;
  double childUs = 0;
};

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Pairs each thread's push and pop events (they nest), attributing each operator's self time to the
// innermost phase around it.
std::map<std::string, PhaseTotals> summarize(const legacy::thread_event_lists& lists, double& totalUs) {
  std::map<std::string, PhaseTotals> phases;
  totalUs = 0;
  for (const auto& events : lists) {
    std::vector<Open> stack;
    for (const auto& event : events) {
      if (event.kind() == legacy::EventKind::PushRange) {
        stack.push_back({event.name(), event.cpuUs()});
      } else if (event.kind() == legacy::EventKind::PopRange && !stack.empty()) {
        Open open = stack.back();
        stack.pop_back();
        const double wall = event.cpuUs() - open.startUs, self = wall - open.childUs;
        if (!stack.empty()) stack.back().childUs += wall;
        const bool phase = open.name.rfind(kPhasePrefix, 0) == 0;
        if (phase) {
          PhaseTotals& totals = phases[open.name.substr(5)];
          totals.calls += 1;
          totals.wallUs += wall;
          totals.opSelfUs["(own)"] += self;
          if (stack.empty()) totalUs += wall;
          continue;
        }
        std::string owner = "(outside any phase)";
        for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
          if (it->name.rfind(kPhasePrefix, 0) == 0) {
            owner = it->name.substr(5);
            break;
          }
        }
        phases[owner].opSelfUs[open.name] += self;
        if (stack.empty()) totalUs += wall;
      }
    }
  }
  return phases;
}

}  // namespace

ProfileSession::ProfileSession(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  legacy::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
}

ProfileSession::~ProfileSession() {
  if (path_.empty()) return;
  double totalUs = 0;
  auto phases = summarize(legacy::disableProfilerLegacy(), totalUs);
  std::ofstream out(path_);
  out << "{\"totalUs\": " << totalUs << ", \"phases\": {";
  bool firstPhase = true;
  for (const auto& [name, totals] : phases) {
    out << (firstPhase ? "" : ",") << "\n  " << quoted(name) << ": {\"calls\": " << totals.calls
        << ", \"wallUs\": " << totals.wallUs << ", \"opSelfUs\": {";
    bool firstOp = true;
    for (const auto& [op, us] : totals.opSelfUs) {
      out << (firstOp ? "" : ", ") << quoted(op) << ": " << us;
      firstOp = false;
    }
    out << "}}";
    firstPhase = false;
  }
  out << "\n}}\n";
}

ProfileScope::ProfileScope(const char* phase, const char* op, const std::string* layer)
    : guard_(at::RecordScope::USER_SCOPE) {
  if (!guard_.isActive()) return;
  std::string name = std::string(kPhasePrefix) + phase;
  if (op) name += std::string(" ") + op;
  if (layer) name += " " + *layer;
  guard_.before(name);
}

}  // namespace lrp
