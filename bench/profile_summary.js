// Reads the profile an explain call writes under LRP_NODE_PROFILE (docs/benchmarks.md, "Profiles")
// and sorts its time into phases: the forward, the z-terms (terms computed once per call), the
// transposed products of the rules (transposed convolutions, matrix products), the fused
// stabilized divisions, other element-wise work, copies, allocation, and the walk itself.
'use strict';

const fs = require('fs');

// Outside the forward and the z-terms, a convolution is a transposed product run as a forward
// convolution with the flipped kernel (docs/architecture.md, "Memory format").
const TRANSPOSED = new Set(['aten::convolution_backward', 'aten::mkldnn_convolution', 'aten::_convolution', 'aten::convolution',
  'aten::conv2d', 'aten::mm', 'aten::matmul', 'aten::bmm', 'aten::addmm']);
const COPIES = new Set(['aten::copy_', 'aten::cat', 'aten::_cat', 'aten::clone', 'aten::contiguous', 'aten::to', 'aten::_to_copy']);
const ALLOCATION = new Set(['aten::empty', 'aten::empty_strided', 'aten::zeros', 'aten::zeros_like', 'aten::fill_', 'aten::zero_',
  'aten::empty_like', 'aten::full_like', 'aten::ones_like']);

function readProfile(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function category(phase, op) {
  if (phase.startsWith('forward')) return 'forward';
  if (phase === 'z-terms') return 'z-terms';
  if (phase === 'fused division') return 'fused division';
  if (op === '(own)') return 'walk and bookkeeping';
  if (TRANSPOSED.has(op)) return 'transposed products';
  if (COPIES.has(op)) return 'copies';
  if (ALLOCATION.has(op)) return 'allocation';
  return 'other element-wise';
}

/** Seconds per category, in a fixed order. */
function breakdown(profile) {
  const out = new Map(['forward', 'z-terms', 'transposed products', 'fused division', 'other element-wise', 'copies',
    'allocation', 'walk and bookkeeping'].map((k) => [k, 0]));
  for (const [phase, totals] of Object.entries(profile.phases)) {
    for (const [op, us] of Object.entries(totals.opSelfUs)) {
      const key = category(phase, op);
      out.set(key, out.get(key) + us / 1e6);
    }
  }
  return out;
}

/** Seconds per operator kind in the relevance walk (z-terms and divisions of its layers included). */
function relevanceByOperator(profile) {
  const out = new Map();
  for (const [phase, totals] of Object.entries(profile.phases)) {
    if (!phase.startsWith('relevance ')) continue;
    const op = phase.split(' ')[1];
    out.set(op, (out.get(op) ?? 0) + totals.wallUs / 1e6);
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

/** A layer's forward time in seconds (the forward of the profiled call), by layer name. */
function forwardByLayer(profile) {
  const out = new Map();
  for (const [phase, totals] of Object.entries(profile.phases)) {
    const [kind, op, ...name] = phase.split(' ');
    if (kind === 'forward' && name.length > 0) out.set(name.join(' '), { op, seconds: totals.wallUs / 1e6 });
  }
  return out;
}

function printBreakdown(profile, wallSeconds, forwardSeconds, label = '') {
  const parts = breakdown(profile);
  console.log(`where the time goes${label} (profiled; ${(profile.totalUs / 1e6).toFixed(2)} s of ${wallSeconds.toFixed(2)} s wall):`);
  for (const [name, seconds] of parts) {
    if (seconds < 0.0005 * wallSeconds) continue;
    console.log(`  ${name.padEnd(22)} ${seconds.toFixed(2).padStart(8)} s  ${(seconds / forwardSeconds).toFixed(2).padStart(7)} forwards  ${(100 * seconds / wallSeconds).toFixed(1).padStart(5)} %`);
  }
  const ops = relevanceByOperator(profile).filter(([, s]) => s >= 0.005 * wallSeconds);
  console.log(`  relevance by operator: ${ops.map(([op, s]) => `${op} ${s.toFixed(2)} s`).join(', ')}`);
}

module.exports = { readProfile, breakdown, relevanceByOperator, forwardByLayer, printBreakdown };
