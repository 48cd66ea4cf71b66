//! Value formatting of the results string (D29).

/// Append a double as the results string prints it.
pub fn write_double(x: f64, out: &mut String) {
    out.push_str(&format_double(x));
}

/// A double as the results string prints it.
pub fn format_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    // C `%g` / .NET `G6`: round to 6 significant digits first, then choose the exponent form
    // when the decimal exponent of the rounded value is below -4 or at least 6.
    let e = format!("{:.5e}", x);
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let m = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let decimals = (5 - exp).max(0) as usize;
    let s = format!("{:.*}", decimals, x);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Append a doubleVec: `[a,b,c]`.
pub fn write_double_vec(xs: &[f64], out: &mut String) {
    out.push('[');
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_double(*x, out);
    }
    out.push(']');
}
