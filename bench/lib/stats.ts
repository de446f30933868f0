/** Summary statistics the benchmarks report: medians, spreads and a least-squares slope. */

export const median = (xs: number[]): number => {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Smallest and largest value. */
export const spread = (xs: number[]): { min: number; max: number } => ({ min: Math.min(...xs), max: Math.max(...xs) });

/** Least-squares line through the points: y ≈ intercept + slope·x. */
export function linearFit(points: { x: number; y: number }[]): { slope: number; intercept: number } {
    const n = points.length;
    if (n < 2) return { slope: NaN, intercept: NaN };
    const mx = points.reduce((s, p) => s + p.x, 0) / n;
    const my = points.reduce((s, p) => s + p.y, 0) / n;
    const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
    const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
    const slope = sxx === 0 ? NaN : sxy / sxx;
    return { slope, intercept: my - slope * mx };
}
