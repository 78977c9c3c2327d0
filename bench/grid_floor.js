// The floor of a γ grid (groups × values) explained by explainMany, for bench/explain_many.js and
// bench/explain.js (docs/benchmarks.md, "Many configurations"). Layers in execution order; forward
// times per layer from a profile (bench/profile_summary.js forwardByLayer).
'use strict';

// The floor of the grid per configuration, in forwards, from each layer's forward time t (the profiled
// call's own forward) and the number of distinct relevances b reaching it (the product of the value
// counts of the groups at or above it: the tree splits where a group starts, going down):
//   one product  = (forward + Σ t·b) / configurations: every branch through a layer costing one forward
//                  of it, as the estimate counts;
//   the γ rule's = (forward + Σ_γ-layers t + Σ t·b·f) / configurations, with the terms W⁺x once per layer
//                  and f = 2 for γ ≠ 0 (the product with [W + γW⁺; W + γW⁻]), 1 for γ = 0 and other layers.
function gridFloors(layers, groups, gammas, perLayer, forwardSeconds) {
  const groupOf = new Map(groups.flatMap((names, g) => names.map((name) => [name, g])));
  const configs = gammas.length ** groups.length;
  const zeroShare = gammas.filter((v) => v === 0).length / gammas.length;
  let branches = 1, oneProduct = 0, gammaRule = 0, zTerms = 0;
  const started = new Set();
  for (const layer of [...layers].reverse()) {
    const g = groupOf.get(layer.name);
    if (g !== undefined && !started.has(g)) {
      started.add(g);
      branches *= gammas.length;
    }
    const t = perLayer.get(layer.name)?.seconds ?? 0;
    oneProduct += t * branches;
    gammaRule += t * branches * (g === undefined ? 1 : 2 - zeroShare);
    if (g !== undefined) zTerms += t;
  }
  return {
    oneProduct: (oneProduct + forwardSeconds) / configs / forwardSeconds,
    gammaRule: (gammaRule + zTerms + forwardSeconds) / configs / forwardSeconds,
  };
}

module.exports = { gridFloors };
