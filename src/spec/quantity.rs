//! Kubernetes resource quantities (`500m`, `1Gi`, `2e3`), parsed far enough to compare them.

/// The value of a quantity in base units (cores, bytes), or `None` if it is not a valid
/// Kubernetes quantity. Precision beyond f64 does not matter for comparing requests and limits.
pub fn parse(q: &str) -> Option<f64> {
    let q = q.trim();
    if q.is_empty() || q != q.trim_start_matches(['+']) && q.starts_with("+-") {
        return None;
    }
    let unsigned = q.strip_prefix('+').unwrap_or(q);
    if unsigned.starts_with('-') {
        return None;
    }
    let split = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(split);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return None;
    }
    let n: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => {
            let exp: i32 = s[1..].parse().ok()?;
            10f64.powi(exp)
        }
        _ => return None,
    };
    Some(n * factor)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_kubernetes_quantities() {
        assert_eq!(parse("500m"), Some(0.5));
        assert_eq!(parse("1Gi"), Some(1073741824.0));
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse("1e3"), Some(1000.0));
        assert_eq!(parse("1.5Gi"), Some(1.5 * 1073741824.0));
        assert_eq!(parse("abc"), None);
        assert_eq!(parse("1GB"), None);
        assert_eq!(parse("-1"), None);
        assert_eq!(parse(""), None);
    }
}
