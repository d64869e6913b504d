//! Small statistics: medians of timings and geometric means of ratios.

use std::time::Duration;

/// The median of `samples` (the mean of the two middle ones for an even count);
/// `Duration::ZERO` for none.
pub fn median(samples: &[Duration]) -> Duration {
    let mut v = samples.to_vec();
    v.sort();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
}

/// The median of `ratios` (the mean of the two middle ones for an even count); `None`
/// for none.
pub fn median_ratio(mut ratios: Vec<f64>) -> Option<f64> {
    ratios.sort_by(f64::total_cmp);
    match ratios.len() {
        0 => None,
        n if n % 2 == 1 => Some(ratios[n / 2]),
        n => Some((ratios[n / 2 - 1] + ratios[n / 2]) / 2.0),
    }
}

/// The geometric mean of positive `ratios` (`NaN` if empty).
pub fn geomean(ratios: &[f64]) -> f64 {
    if ratios.is_empty() {
        return f64::NAN;
    }
    (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp()
}

/// Milliseconds as `f64`.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_ratios() {
        assert_eq!(median_ratio(vec![]), None);
        assert_eq!(median_ratio(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_ratio(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn median_and_geomean() {
        let d = |ms| Duration::from_millis(ms);
        assert_eq!(median(&[d(3), d(1), d(2)]), d(2));
        assert_eq!(
            median(&[d(4), d(1), d(2), d(3)]),
            Duration::from_micros(2500)
        );
        assert!((geomean(&[0.5, 2.0]) - 1.0).abs() < 1e-12);
        assert!(geomean(&[]).is_nan());
    }
}
