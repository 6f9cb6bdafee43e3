//! Layered specs, as Helm layers values files: a base file, overlays (`-f` again), and single
//! fields (`--set path=value`, `--set-string path=value`). Later layers override earlier ones:
//! mappings merge, lists and scalars replace. Each layer is loaded and checked on its own
//! first (YAML, unknown keys, types), so an error names the layer that holds it; after the
//! merge, validation errors name the layer that set the offending value.

use serde_json::Value;

use super::{Diagnostic, Loaded, SpecErrors, load_bytes};

/// One layer, in the order given on the command line.
#[derive(Debug, Clone)]
pub enum Layer {
    /// A file's name (for messages) and bytes.
    File { name: String, bytes: Vec<u8> },
    /// `--set path=value` (`string: false`: the value is typed like YAML) or `--set-string`.
    Set { arg: String, string: bool },
    /// A spec already parsed (the deployed revision's, for `upgrade` without `-f`).
    Parsed(Box<Loaded>),
}

/// Loads every layer and merges them into one spec, whose source map knows which layer set
/// each field.
pub fn load(layers: &[Layer]) -> Result<Loaded, SpecErrors> {
    let mut errors = Vec::new();
    let mut loaded = Vec::new();
    for layer in layers {
        match load_one(layer) {
            Ok(l) => loaded.push(l),
            Err(e) => errors.extend(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(SpecErrors(errors));
    }
    let mut layers = loaded.into_iter();
    let Some(mut base) = layers.next() else {
        return Err(SpecErrors(vec![Diagnostic {
            file: "(no spec)".into(),
            line: 0,
            column: 0,
            path: String::new(),
            message: "no layer given".into(),
        }]));
    };
    let mut merged = serde_json::to_value(&base.raw).expect("specs serialize");
    for overlay in layers {
        let value = serde_json::to_value(&overlay.raw).expect("specs serialize");
        merge(&mut merged, value);
        base.unknown_keys.extend(overlay.unknown_keys);
        base.source.overlay(overlay.source);
    }
    base.raw = serde_json::from_value(merged).map_err(|e| {
        SpecErrors(vec![Diagnostic {
            file: base.source.file.clone(),
            line: 0,
            column: 0,
            path: String::new(),
            message: format!("the layers do not combine into one spec: {e}"),
        }])
    })?;
    Ok(base)
}

fn load_one(layer: &Layer) -> Result<Loaded, SpecErrors> {
    match layer {
        Layer::File { name, bytes } => load_bytes(name, bytes),
        Layer::Set { arg, string } => load_set(arg, *string),
        Layer::Parsed(l) => Ok((**l).clone()),
    }
}

/// `--set engine.replicas=3` as the YAML document `spec: {engine: {replicas: 3}}`, loaded like
/// a file (the same type rules), with every position pointing at the argument itself.
fn load_set(arg: &str, string: bool) -> Result<Loaded, SpecErrors> {
    let flag = if string { "--set-string" } else { "--set" };
    let name = format!("{flag} {arg}");
    let usage = |message: String| {
        SpecErrors(vec![Diagnostic {
            file: name.clone(),
            line: 0,
            column: 0,
            path: String::new(),
            message,
        }])
    };
    let Some((path, value)) = arg.split_once('=') else {
        return Err(usage(format!(
            "expected path=value, for example {flag} engine.replicas=3"
        )));
    };
    let mut keys: Vec<&str> = path.split('.').collect();
    if keys
        .iter()
        .any(|k| k.is_empty() || k.contains(char::is_whitespace))
    {
        return Err(usage(format!(
            "invalid path {path:?}: dot-separated field names under spec, for example engine.replicas or metadata.name"
        )));
    }
    if !matches!(keys[0], "spec" | "metadata" | "apiVersion" | "kind") {
        keys.insert(0, "spec");
    }
    let scalar = if string {
        serde_json::to_string(value).expect("strings serialize")
    } else if value.is_empty() {
        "\"\"".to_string()
    } else {
        value.to_string()
    };
    let mut text = String::new();
    for (depth, k) in keys.iter().enumerate() {
        text.push_str(&"  ".repeat(depth));
        text.push_str(k);
        text.push(':');
        text.push_str(if depth + 1 == keys.len() { " " } else { "\n" });
    }
    text.push_str(&scalar);
    text.push('\n');
    let at_arg = |mut e: SpecErrors| {
        for d in &mut e.0 {
            d.line = 0;
            d.column = 0;
        }
        e
    };
    let mut loaded = load_bytes(&name, text.as_bytes()).map_err(at_arg)?;
    for d in &mut loaded.unknown_keys {
        d.line = 0;
        d.column = 0;
    }
    loaded.source.forget_positions();
    Ok(loaded)
}

/// Helm's rule: mappings merge key by key, anything else (lists, scalars) replaces.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_merge_and_lists_and_scalars_replace() {
        let mut base = json!({"a": {"x": 1, "y": [1, 2]}, "b": "keep"});
        merge(&mut base, json!({"a": {"y": [3], "z": true}}));
        assert_eq!(
            base,
            json!({"a": {"x": 1, "y": [3], "z": true}, "b": "keep"})
        );
    }
}
