//! Bytes → [`RawSkyfloAI`] plus a map from dotted paths to source positions.
//!
//! Two passes over the same text: the first builds a tree of spanned nodes (so that any later
//! error, including semantic ones found by `validate`, can point at a line and column), the
//! second deserializes the typed structs through `serde_path_to_error` (dotted paths for type
//! errors) and `serde_ignored` (every unknown key, also inside Kubernetes types).

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Options, Spanned};

use super::diag::{Diagnostic, Seg, SpecErrors, did_you_mean, render_path};
use super::raw::RawSkyfloAI;

/// Files larger than this are refused before parsing: a SkyfloAI spec is a few KiB.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// A parsed spec file together with what is needed to explain problems in it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub raw: RawSkyfloAI,
    pub source: SourceMap,
    /// Unknown keys are reported together with the semantic errors, so one run shows all.
    pub unknown_keys: Vec<Diagnostic>,
}

/// Dotted path → position of the key and of the value, for every node in the file.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    pub file: String,
    positions: HashMap<String, Position>,
    /// Later layers (overlay files, `--set` arguments); the last one that sets a field wins.
    overlays: Vec<SourceMap>,
    /// A `--set` argument: its positions all point at the argument itself.
    argument: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Position {
    key: Option<(u64, u64)>,
    value: (u64, u64),
}

impl SourceMap {
    /// A map with no positions, for specs that were not read from a file.
    pub fn unnamed(file: &str) -> Self {
        SourceMap {
            file: file.to_string(),
            positions: HashMap::new(),
            overlays: Vec::new(),
            argument: false,
        }
    }

    /// Adds a later layer: where it sets a field, messages point at it.
    pub fn overlay(&mut self, other: SourceMap) {
        self.overlays.push(other);
    }

    /// Marks this map as a command-line argument: it keeps which fields it sets, but every
    /// position is the argument itself (no line or column).
    pub fn forget_positions(&mut self) {
        for p in self.positions.values_mut() {
            *p = Position::default();
        }
        self.argument = true;
    }

    /// A diagnostic at the value of `path`, or at the nearest ancestor that the file has
    /// (a missing field is reported where its parent is).
    pub fn at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        let (file, (line, column)) = self.locate(path, false);
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// Like [`SourceMap::at`] but points at the key itself (for unknown keys).
    pub fn at_key(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        let (file, (line, column)) = self.locate(path, true);
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// The layer that set `path` (the last one that has it), else the nearest ancestor in the
    /// last file that has one: a missing field belongs to a file, not to a `--set`.
    fn locate(&self, path: &str, key: bool) -> (&str, (u64, u64)) {
        let layers: Vec<&SourceMap> = self.overlays.iter().rev().chain([self]).collect();
        fn at<'m>(m: &'m SourceMap, pos: &Position, key: bool) -> (&'m str, (u64, u64)) {
            let p = if key {
                pos.key.unwrap_or(pos.value)
            } else {
                pos.value
            };
            (m.file.as_str(), p)
        }
        if let Some((m, pos)) = layers
            .iter()
            .find_map(|m| Some((*m, m.positions.get(path)?)))
        {
            return at(m, pos, key);
        }
        let mut p = path.to_string();
        loop {
            let found = layers
                .iter()
                .filter(|m| !m.argument)
                .find_map(|m| Some((*m, m.positions.get(&p)?)));
            if let Some((m, pos)) = found {
                return at(m, pos, key);
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => {
                    return (
                        self.file.as_str(),
                        self.positions.get("").map(|p| p.value).unwrap_or((1, 1)),
                    );
                }
            }
        }
    }
}

/// Reads and parses a spec file. `file` is the name used in messages.
/// One error about the whole file (line 0).
fn whole(file: &str, message: String) -> SpecErrors {
    SpecErrors(vec![Diagnostic {
        file: file.to_string(),
        line: 0,
        column: 0,
        path: String::new(),
        message,
    }])
}

/// The file's text: at most 1 MiB of UTF-8, without a byte-order mark.
fn text_of<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, SpecErrors> {
    let whole = |message: String| whole(file, message);
    if bytes.len() > MAX_FILE_BYTES {
        return Err(whole(format!(
            "the file is {} bytes; a SkyfloAI file may be at most {} bytes (1 MiB)",
            bytes.len(),
            MAX_FILE_BYTES
        )));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = line_col(&bytes[..e.valid_up_to()]);
            return Err(SpecErrors(vec![Diagnostic {
                file: file.to_string(),
                line,
                column,
                path: String::new(),
                message: format!(
                    "the file is not valid UTF-8 (invalid byte 0x{:02x}); save it as UTF-8",
                    bytes[e.valid_up_to()]
                ),
            }]));
        }
    };
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The one YAML document of the file, which must be a mapping.
fn root_of<'a>(file: &str, docs: &'a [Spanned<Node>]) -> Result<&'a Spanned<Node>, SpecErrors> {
    let whole = |message: String| whole(file, message);
    let root = match docs.len() {
        0 => {
            return Err(whole(
                "the file is empty; it must hold one SkyfloAI document (see `skyflo template --help` or examples/skyflo.yaml)"
                    .into(),
            ))
        }
        1 => &docs[0],
        n => {
            let second = &docs[1];
            return Err(SpecErrors(vec![Diagnostic {
                file: file.to_string(),
                line: second.referenced.line(),
                column: second.referenced.column(),
                path: "(document 2)".into(),
                message: format!(
                    "the file holds {n} YAML documents; it must hold exactly one SkyfloAI document"
                ),
            }]));
        }
    };
    if !matches!(root.value, Node::Map(_)) {
        let what = match root.value {
            Node::Null => "empty",
            Node::Seq(_) => "a list",
            _ => "a plain value",
        };
        return Err(SpecErrors(vec![Diagnostic {
            file: file.to_string(),
            line: root.referenced.line(),
            column: root.referenced.column(),
            path: "(document)".into(),
            message: format!(
                "the document is {what}; it must be a mapping with apiVersion: skyflo.ai/v1, kind: SkyfloAI and spec"
            ),
        }]));
    }
    Ok(root)
}

pub fn load_bytes(file: &str, bytes: &[u8]) -> Result<Loaded, SpecErrors> {
    let text = text_of(file, bytes)?;
    let docs: Vec<Spanned<Node>> = serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|e| SpecErrors(vec![yaml_error(file, text, &e, "")]))?;
    let root = root_of(file, &docs)?;
    let mut source = SourceMap::unnamed(file);
    index(root, &mut Vec::new(), None, &mut source.positions);

    let mut ignored: Vec<Vec<Seg>> = Vec::new();
    let mut typed = None;
    let outer = serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
        let mut on_ignored = |p: serde_ignored::Path<'_>| {
            let mut segs = Vec::new();
            ignored_segs(&p, &mut segs);
            ignored.push(segs);
        };
        let de = serde_ignored::Deserializer::new(de, &mut on_ignored);
        typed = Some(serde_path_to_error::deserialize::<_, RawSkyfloAI>(de));
        Ok(())
    });

    let mut errors: Vec<Diagnostic> = ignored
        .iter()
        .map(|segs| unknown_key(&source, segs))
        .collect();
    // A type error stops deserialization early; the outer call then complains about the
    // unread rest, so the inner error (which has the path) is the one to report.
    let raw = match (typed, outer) {
        (Some(Ok(raw)), Ok(())) => Some(raw),
        (Some(Err(e)), _) => {
            let segs: Vec<Seg> = e
                .path()
                .iter()
                .filter_map(|s| match s {
                    serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                    serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                    serde_path_to_error::Segment::Enum { variant } => {
                        Some(Seg::Key(variant.clone()))
                    }
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect();
            errors.push(yaml_error(file, text, e.inner(), &render_path(&segs)));
            None
        }
        (_, Err(e)) => {
            errors.push(yaml_error(file, text, &e, ""));
            None
        }
        (None, Ok(())) => None,
    };
    sort(&mut errors);
    match raw {
        Some(raw) => Ok(Loaded {
            raw,
            source,
            unknown_keys: errors,
        }),
        None => Err(SpecErrors(errors)),
    }
}

fn sort(errors: &mut [Diagnostic]) {
    errors.sort_by(|a, b| (a.line, a.column, &a.path).cmp(&(b.line, b.column, &b.path)));
}

/// Limits far above any real spec and far below what an alias bomb needs.
fn options() -> Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_events: 200_000,
            max_nodes: 100_000,
            max_depth: 48,
            max_documents: 16,
            max_recorded_anchor_events: 10_000,
            max_recorded_anchor_bytes: 1024 * 1024,
        },
        with_snippet: false,
    }
}

fn line_col(prefix: &[u8]) -> (u64, u64) {
    let line = prefix.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let start = prefix
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&prefix[start..]).chars().count() as u64 + 1;
    (line, column)
}

fn yaml_error(file: &str, text: &str, e: &serde_saphyr::Error, path: &str) -> Diagnostic {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    let mut message = e.without_snippet().to_string();
    // The position is already in front of the message.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    if let Some(rest) = message.strip_prefix(&format!("line {line} column {column}: ")) {
        message = rest.to_string();
    }
    for (terse, friendly) in [
        ("invalid i64", "expected a whole number"),
        ("invalid i32", "expected a whole number"),
        ("invalid bool", "expected true or false"),
        ("invalid boolean", "expected true or false"),
        ("invalid f64", "expected a number"),
    ] {
        if message == terse {
            message = friendly.to_string();
        }
    }
    if message.contains("budget") {
        message = "the file expands to far more YAML than a SkyfloAI spec holds (anchors and aliases are limited, to guard against alias bombs); write the values out or use fewer aliases".into();
    } else if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        message = format!("duplicate key `{key}`; each key may appear only once in a mapping");
    } else if message == "expected mapping start" {
        message = "expected a mapping (key: value pairs) here".into();
    } else if message == "expected sequence start" {
        message = "expected a list here".into();
    }
    let path = if path.is_empty() && line > 0 {
        path_at_line(text, line)
    } else {
        path.to_string()
    };
    Diagnostic {
        file: file.to_string(),
        line,
        column,
        path,
        message,
    }
}

/// The dotted path of the key on `line`, from indentation alone: syntax errors happen
/// before a tree exists, and the path still tells the user where to look.
fn path_at_line(text: &str, line: u64) -> String {
    let mut stack: Vec<(usize, String)> = Vec::new();
    for l in text.lines().take(line as usize) {
        let trimmed = l.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut indent = l.len() - trimmed.len();
        let body = match trimmed.strip_prefix("- ") {
            Some(b) => {
                indent += 2;
                b
            }
            None => trimmed,
        };
        let Some((key, _)) = body.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        if key.is_empty() || key.contains([' ', '[', '{', '&', '*']) {
            continue;
        }
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        stack.push((indent, key.to_string()));
    }
    let path: Vec<String> = stack.into_iter().map(|(_, k)| k).collect();
    if path.is_empty() {
        "(document)".into()
    } else {
        path.join(".")
    }
}

fn unknown_key(source: &SourceMap, segs: &[Seg]) -> Diagnostic {
    let path = render_path(segs);
    let (parent, key) = match segs.split_last() {
        Some((Seg::Key(k), parent)) => (parent, k.as_str()),
        _ => (segs, ""),
    };
    let known = super::schema::known_fields(parent);
    let mut message = "unknown field".to_string();
    if let Some(s) = known.and_then(|k| did_you_mean(key, k)) {
        message.push_str(&format!(" (did you mean `{s}`?)"));
    }
    if let Some(k) = known {
        message.push_str(&format!("; valid fields here: {}", k.join(", ")));
    }
    source.at_key(&path, message)
}

fn ignored_segs(p: &serde_ignored::Path<'_>, out: &mut Vec<Seg>) {
    use serde_ignored::Path;
    match p {
        Path::Root => {}
        Path::Seq { parent, index } => {
            ignored_segs(parent, out);
            out.push(Seg::Index(*index));
        }
        Path::Map { parent, key } => {
            ignored_segs(parent, out);
            out.push(Seg::Key(key.clone()));
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_segs(parent, out),
    }
}

fn index(
    node: &Spanned<Node>,
    path: &mut Vec<Seg>,
    key: Option<(u64, u64)>,
    out: &mut HashMap<String, Position>,
) {
    out.insert(
        render_path(path),
        Position {
            key,
            value: (node.referenced.line(), node.referenced.column()),
        },
    );
    match &node.value {
        Node::Map(entries) => {
            for (k, v) in entries {
                path.push(Seg::Key(k.value.0.clone()));
                index(
                    v,
                    path,
                    Some((k.referenced.line(), k.referenced.column())),
                    out,
                );
                path.pop();
            }
        }
        Node::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                index(v, path, None, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A YAML node with positions, used only to locate paths.
#[derive(Debug)]
enum Node {
    Null,
    Scalar,
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<Key>, Spanned<Node>)>),
}

#[derive(Debug)]
struct Key(String);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML node")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i128<E>(self, _: i128) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u128<E>(self, _: u128) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = a.next_element::<Spanned<Node>>()? {
                    items.push(v);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = a.next_key::<Spanned<Key>>()? {
                    let v = a.next_value::<Spanned<Node>>()?;
                    entries.push((k, v));
                }
                Ok(Node::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key("~".into()))
            }
            fn visit_none<E>(self) -> Result<Key, E> {
                Ok(Key("~".into()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
                Err(de::Error::custom("a list cannot be a mapping key"))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
                Err(de::Error::custom("a mapping cannot be a mapping key"))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses any serde type from YAML text with the same limits as spec files (used for the
/// embedded templates).
pub fn parse_yaml<T: DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, options())
}
