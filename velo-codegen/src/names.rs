//! Rust names for SQL names: struct and field identifiers that are valid, readable and unique.

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "try", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield",
];

/// Lower-case ASCII letters and digits of `name`, every other character as `_`.
pub fn lower_alnum(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// A snake_case identifier for a SQL name (`Order Id` → `order_id`, `type` → `type_`, `1st` → `_1st`).
pub fn snake(name: &str) -> String {
    let mut s = lower_alnum(name);
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if KEYWORDS.contains(&s.as_str()) || s == "_" {
        s.push('_');
    }
    s
}

/// Unique field identifiers for a list of column names, in order.
pub(crate) fn field_names(names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        let base = snake(n);
        let mut candidate = base.clone();
        let mut k = 2;
        while out.contains(&candidate) {
            candidate = format!("{base}_{k}");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

/// A CamelCase struct name `<Name>Row` that is not `taken`.
pub(crate) fn struct_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let camel: String = snake(name)
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    let camel =
        if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) { format!("T{camel}") } else { camel };
    let base = format!("{camel}Row");
    let mut candidate = base.clone();
    let mut k = 2;
    while taken(&candidate) {
        candidate = format!("{camel}{k}Row");
        k += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_and_unique() {
        assert_eq!(
            field_names(&["id", "ID", "type", "Order Id", "1st", ""]),
            vec!["id", "id_2", "type_", "order_id", "_1st", "__"]
        );
        assert_eq!(struct_name("input_data", |_| false), "InputDataRow");
        assert_eq!(struct_name("input_data", |s| s == "InputDataRow"), "InputData2Row");
        assert_eq!(struct_name("9x", |_| false), "T9xRow");
    }
}
