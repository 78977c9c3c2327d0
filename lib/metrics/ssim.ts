// SSIM₁ (docs/metrics.md §12): scikit-image's structural_similarity on two flattened 1-D vectors
// as Quantus calls it — 7-wide uniform windows, K1 = 0.01, K2 = 0.03, sample covariance, border
// positions left out, data range = max(u ∪ v) − min(u ∪ v).
export function ssim1(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const n = u.length;
  if (n < 7 || v.length !== n) return NaN;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, u[i], v[i]);
    hi = Math.max(hi, u[i], v[i]);
  }
  const range = hi - lo;
  if (!(range > 0)) return NaN;
  const c1 = (0.01 * range) ** 2;
  const c2 = (0.03 * range) ** 2;
  const cov = 7 / 6;
  let total = 0;
  for (let i = 3; i <= n - 4; i++) {
    let mu = 0;
    let mv = 0;
    let uu = 0;
    let vv = 0;
    let uv = 0;
    for (let j = i - 3; j <= i + 3; j++) {
      mu += u[j];
      mv += v[j];
      uu += u[j] * u[j];
      vv += v[j] * v[j];
      uv += u[j] * v[j];
    }
    mu /= 7;
    mv /= 7;
    const su = cov * (uu / 7 - mu * mu);
    const sv = cov * (vv / 7 - mv * mv);
    const suv = cov * (uv / 7 - mu * mv);
    total += ((2 * mu * mv + c1) * (2 * suv + c2)) / ((mu * mu + mv * mv + c1) * (su + sv + c2));
  }
  return total / (n - 6);
}
