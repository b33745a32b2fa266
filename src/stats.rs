//! Deterministic resampling statistics over articles.
//!
//! Each item is one article's `(sum, count)` of unit (sentence) scores, and a
//! group's score is the pooled mean `sum(sums) / sum(counts)`. Resampling
//! whole articles rather than sentences respects that sentences of one
//! article are not independent, which would otherwise make intervals too
//! narrow.
//!
//! Randomness comes from `rand_chacha::ChaCha8Rng` seeded from a `u64`, and
//! indices are drawn as `u64` (never `usize`), so a given seed gives
//! bit-identical results on every platform and run: published numbers can be
//! reproduced from the seed alone.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Slack when comparing permutation statistics with the observed one, so
/// that permutations whose statistic equals the observed one mathematically
/// are not lost to rounding differences in the order of summation.
const TIE_EPS: f64 = 1e-12;

/// Pooled mean `sum(sums) / sum(counts)` of the items.
///
/// `None` when `items` is empty, the total count is not positive, or the
/// result is not finite (e.g. an item holds NaN).
pub fn pooled_mean(items: &[(f64, f64)]) -> Option<f64> {
    let (sum, count) = items
        .iter()
        .fold((0.0, 0.0), |(s, c), &(is, ic)| (s + is, c + ic));
    pooled(sum, count)
}

fn pooled(sum: f64, count: f64) -> Option<f64> {
    if count > 0.0 {
        Some(sum / count).filter(|m| m.is_finite())
    } else {
        None
    }
}

/// Percentile bootstrap confidence interval `(lower, upper)` of the pooled
/// mean, resampling whole items with replacement; `level` is e.g. 0.95.
///
/// A replicate whose resample has no defined pooled mean (total count 0,
/// possible when some items have count 0) is dropped rather than redrawn:
/// redrawing could loop for a long time on data that is mostly empty, while
/// dropping keeps the random stream, and so the result, fixed for a seed. The
/// interval is taken over the surviving replicates.
///
/// `None` if `items` is empty, the pooled mean of `items` is undefined,
/// `replicates` is 0, `level` is not strictly between 0 and 1, or no
/// replicate survives.
pub fn bootstrap_pooled_ci(
    items: &[(f64, f64)],
    replicates: usize,
    seed: u64,
    level: f64,
) -> Option<(f64, f64)> {
    pooled_mean(items)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let stats: Vec<f64> = (0..replicates)
        .filter_map(|_| resample_mean(items, &mut rng))
        .collect();
    percentile_interval(&stats, level)
}

/// Percentile bootstrap confidence interval of
/// `pooled_mean(a) - pooled_mean(b)`, resampling items within each group
/// independently (group sizes stay fixed).
///
/// Replicates where either resampled group has no defined pooled mean are
/// dropped, as in [`bootstrap_pooled_ci`]. `None` under the same conditions,
/// applied to either group.
pub fn bootstrap_diff_ci(
    a: &[(f64, f64)],
    b: &[(f64, f64)],
    replicates: usize,
    seed: u64,
    level: f64,
) -> Option<(f64, f64)> {
    pooled_mean(a)?;
    pooled_mean(b)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let stats: Vec<f64> = (0..replicates)
        .filter_map(|_| {
            // Both groups are always drawn, so a dropped replicate consumes
            // the same amount of randomness as a kept one.
            let ma = resample_mean(a, &mut rng);
            let mb = resample_mean(b, &mut rng);
            Some(ma? - mb?)
        })
        .collect();
    percentile_interval(&stats, level)
}

/// Two-sided permutation test of `|pooled_mean(a) - pooled_mean(b)|`,
/// shuffling which group each item belongs to (group sizes stay fixed).
///
/// `p = (1 + #{perm stat >= observed - 1e-12}) / (1 + permutations)`, so `p`
/// is never 0 and with `permutations == 0` it is 1. A permutation whose
/// groups have no defined pooled mean (total count 0) cannot be compared and
/// counts as not exceeding the observed statistic; it still counts in the
/// denominator, which keeps `p` tied to the requested number of permutations.
///
/// `None` when either group is empty or has no defined pooled mean.
pub fn permutation_p(
    a: &[(f64, f64)],
    b: &[(f64, f64)],
    permutations: usize,
    seed: u64,
) -> Option<f64> {
    let observed = (pooled_mean(a)? - pooled_mean(b)?).abs();
    let mut pool: Vec<(f64, f64)> = a.iter().chain(b.iter()).copied().collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut hits = 0usize;
    for _ in 0..permutations {
        shuffle(&mut pool, &mut rng);
        let (pa, pb) = pool.split_at(a.len());
        if let (Some(ma), Some(mb)) = (pooled_mean(pa), pooled_mean(pb)) {
            if (ma - mb).abs() >= observed - TIE_EPS {
                hits += 1;
            }
        }
    }
    Some((1 + hits) as f64 / (1 + permutations) as f64)
}

/// Quantile `q` (clamped to `[0, 1]`) with linear interpolation between order
/// statistics (Hyndman & Fan type 7, the default of R and NumPy), computed on
/// a sorted copy.
///
/// Non-finite values are ignored, since one NaN or infinity would otherwise
/// poison the interpolation. `None` if no finite value remains or `q` is NaN.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if q.is_nan() {
        return None;
    }
    let mut xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let h = (xs.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(xs.len() - 1);
    let frac = h - lo as f64;
    Some(xs[lo] + frac * (xs[hi] - xs[lo]))
}

/// Pooled mean of one bootstrap resample of `items` (same size, with
/// replacement), or `None` if that resample has no defined pooled mean.
fn resample_mean(items: &[(f64, f64)], rng: &mut ChaCha8Rng) -> Option<f64> {
    let (mut sum, mut count) = (0.0, 0.0);
    for _ in 0..items.len() {
        let (s, c) = items[index_below(items.len(), rng)];
        sum += s;
        count += c;
    }
    pooled(sum, count)
}

/// Uniform index in `0..n` (`n > 0`), drawn through `u64` because rand 0.8
/// samples `usize` ranges differently on 32- and 64-bit targets.
fn index_below(n: usize, rng: &mut ChaCha8Rng) -> usize {
    rng.gen_range(0..n as u64) as usize
}

/// Fisher–Yates shuffle through [`index_below`], for the same portability
/// reason; `SliceRandom::shuffle` makes no cross-version promise.
fn shuffle<T>(xs: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..xs.len()).rev() {
        let j = index_below(i + 1, rng);
        xs.swap(i, j);
    }
}

fn percentile_interval(stats: &[f64], level: f64) -> Option<(f64, f64)> {
    if !(level > 0.0 && level < 1.0) {
        return None;
    }
    let tail = (1.0 - level) / 2.0;
    Some((quantile(stats, tail)?, quantile(stats, 1.0 - tail)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Articles with `count` sentences each, whose mean score is `mean`
    /// plus a small deterministic wobble.
    fn group(mean: f64, n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let count = 3.0 + (i % 4) as f64;
                let wobble = ((i * 7 % 5) as f64 - 2.0) * 0.05;
                ((mean + wobble) * count, count)
            })
            .collect()
    }

    #[test]
    fn pooled_mean_weights_by_count() {
        // (1 + 9) / (1 + 3) = 2.5, not the unweighted mean of 1 and 3.
        assert_eq!(pooled_mean(&[(1.0, 1.0), (9.0, 3.0)]), Some(2.5));
        assert_eq!(pooled_mean(&[]), None);
        assert_eq!(pooled_mean(&[(0.0, 0.0)]), None);
        assert_eq!(pooled_mean(&[(f64::NAN, 1.0)]), None);
    }

    #[test]
    fn quantile_type7() {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; median of 1..4 = 2.5.
        let v = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&v, 0.25), Some(1.75));
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(4.0));
        assert_eq!(quantile(&v, 2.0), Some(4.0));
        assert_eq!(quantile(&[7.0], 0.3), Some(7.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&v, f64::NAN), None);
        assert_eq!(
            quantile(&[f64::NAN, 1.0, f64::INFINITY, 3.0], 0.5),
            Some(2.0)
        );
    }

    #[test]
    fn ci_contains_point_estimate() {
        let items = group(0.3, 15);
        let point = pooled_mean(&items).unwrap();
        let (lo, hi) = bootstrap_pooled_ci(&items, 2000, 7, 0.95).unwrap();
        assert!(lo <= point && point <= hi, "{lo} <= {point} <= {hi}");
        assert!(lo < hi);

        let b = group(-0.2, 12);
        let diff = point - pooled_mean(&b).unwrap();
        let (lo, hi) = bootstrap_diff_ci(&items, &b, 2000, 7, 0.95).unwrap();
        assert!(lo <= diff && diff <= hi, "{lo} <= {diff} <= {hi}");
    }

    #[test]
    fn ci_narrows_with_replicated_items() {
        let five = vec![(2.0, 4.0), (-1.0, 2.0), (3.0, 3.0), (0.5, 5.0), (-2.0, 4.0)];
        let twenty: Vec<(f64, f64)> = five.iter().cycle().take(20).copied().collect();
        assert_eq!(pooled_mean(&five), pooled_mean(&twenty));
        let (l5, h5) = bootstrap_pooled_ci(&five, 2000, 1, 0.95).unwrap();
        let (l20, h20) = bootstrap_pooled_ci(&twenty, 2000, 1, 0.95).unwrap();
        // Four times the items should roughly halve the width.
        assert!(h20 - l20 < 0.75 * (h5 - l5), "{} vs {}", h20 - l20, h5 - l5);
    }

    #[test]
    fn identical_groups_give_large_p() {
        let a = group(0.1, 10);
        let p = permutation_p(&a, &a, 999, 3).unwrap();
        assert!(p > 0.5, "p = {p}");
    }

    #[test]
    fn separated_groups_give_small_p() {
        let a = group(0.8, 10);
        let b = group(-0.8, 10);
        let p = permutation_p(&a, &b, 2000, 11).unwrap();
        assert!(p < 0.01, "p = {p}");
        assert!(p > 0.0);
    }

    #[test]
    fn same_seed_same_output_different_seed_differs() {
        let a = group(0.4, 8);
        let b = group(0.1, 9);
        assert_eq!(
            bootstrap_pooled_ci(&a, 500, 42, 0.9),
            bootstrap_pooled_ci(&a, 500, 42, 0.9)
        );
        assert_ne!(
            bootstrap_pooled_ci(&a, 500, 42, 0.9),
            bootstrap_pooled_ci(&a, 500, 43, 0.9)
        );
        assert_eq!(
            bootstrap_diff_ci(&a, &b, 500, 42, 0.9),
            bootstrap_diff_ci(&a, &b, 500, 42, 0.9)
        );
        assert_ne!(
            bootstrap_diff_ci(&a, &b, 500, 42, 0.9),
            bootstrap_diff_ci(&a, &b, 500, 43, 0.9)
        );
        // Overlapping groups, so p is far from its floor of 1/501 and the
        // seed shows in it.
        let c = group(0.38, 9);
        assert_eq!(
            permutation_p(&a, &c, 500, 42),
            permutation_p(&a, &c, 500, 42)
        );
        assert_ne!(
            permutation_p(&a, &c, 500, 42),
            permutation_p(&a, &c, 500, 43)
        );
    }

    #[test]
    fn degenerate_inputs_return_none_or_defaults() {
        let a = group(0.2, 5);
        assert_eq!(bootstrap_pooled_ci(&[], 100, 0, 0.95), None);
        assert_eq!(bootstrap_pooled_ci(&[(1.0, 0.0)], 100, 0, 0.95), None);
        assert_eq!(bootstrap_pooled_ci(&a, 0, 0, 0.95), None);
        assert_eq!(bootstrap_pooled_ci(&a, 100, 0, 1.0), None);
        assert_eq!(bootstrap_pooled_ci(&a, 100, 0, f64::NAN), None);
        assert_eq!(bootstrap_diff_ci(&a, &[], 100, 0, 0.95), None);
        assert_eq!(permutation_p(&[], &a, 100, 0), None);
        assert_eq!(permutation_p(&a, &a, 0, 0), Some(1.0));
    }

    #[test]
    fn zero_count_resamples_are_dropped() {
        // Half the items are empty articles; some resamples draw only those,
        // and the interval must still be finite and bracket the estimate.
        let items = vec![(3.0, 2.0), (0.0, 0.0)];
        let (lo, hi) = bootstrap_pooled_ci(&items, 200, 5, 0.95).unwrap();
        assert_eq!((lo, hi), (1.5, 1.5));
        let p = permutation_p(&[(1.0, 1.0), (0.0, 0.0)], &[(0.0, 1.0), (0.0, 0.0)], 50, 5).unwrap();
        assert!(p > 0.0 && p <= 1.0);
    }
}
