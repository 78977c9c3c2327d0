// ‖a − b‖₂ / ‖b‖₂, the distance the coverage benchmarks report.
'use strict';

function relativeL2(a, b) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}

module.exports = { relativeL2 };
