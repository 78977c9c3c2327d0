// The graph as a plain JS object: what `inspect` prints and `model.layers` holds.
#pragma once

#include <napi.h>

#include "../core/plan.h"

namespace lrp::binding {

// {inputs: [name], outputs: [name], elided: [name], device, dtype,
//  layers: [{name, op, inputs: [name], params: {key: shape}, attrs: {key: value}}]}
Napi::Object describeGraph(Napi::Env env, const Plan& plan);

}  // namespace lrp::binding
