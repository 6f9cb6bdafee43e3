//! The layering rules of `src/` (README "Architecture"), checked on the source itself so they
//! cannot quietly regress: files at the `cluster/` root import none of its sub-folders;
//! `diagnose/`, `data/` and `adopt/` import only the root; `spec/` imports nothing of
//! `render/`; no import circle between any files; only `settings.rs`, `commands/` and the
//! failpoint hook read environment variables; no `too_many_*` allow in `src/`.
//!
//! An import is every path that names an item of another file: `use` trees and paths written
//! inline (`super::deploy::locked(…)`), resolved to the file that defines the item (a
//! `pub use` in a folder's `mod.rs` is followed to the file it re-exports). A `mod x;`
//! declaration is not an import. Code after `#[cfg(test)]` is left out: unit tests reach
//! into their own file with `super::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file: what it names.
struct File {
    /// Paths this file writes, each as segments (`crate`, `cluster`, `lock`, `Job`).
    paths: Vec<Vec<String>>,
    /// Names re-exported by a `pub use` (name → full path), for resolving through facades.
    reexports: BTreeMap<String, Vec<String>>,
    /// The paths of `pub use` statements: they hand a name on and are no import themselves.
    handed_on: BTreeSet<Vec<String>>,
    /// The code without comments, strings and tests.
    code: String,
    /// Whether the file opens with a `//!` line saying what it is for.
    documented: bool,
}

/// The import graph of one source tree: file (relative to the tree) → files it imports.
struct Tree {
    files: BTreeMap<String, File>,
    by_module: BTreeMap<Vec<String>, String>,
}

fn module_of(rel: &str) -> Vec<String> {
    let stem = rel.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Removes comments, string and char literals (kept as empty quotes) and everything from the
/// first `#[cfg(test)]` on.
fn strip(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                i = end;
            }
            b'r' if b.get(i + 1) == Some(&b'#') || b.get(i + 1) == Some(&b'"') => {
                // A raw string r"…" or r#"…"#, unless `r` ends an identifier.
                let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                if ident_before || b.get(i + 1 + hashes) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                i = text[start..]
                    .find(&close)
                    .map_or(b.len(), |e| start + e + close.len());
                out.push_str("\"\"");
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\'' => {
                // A char literal ('x', '\n'); a lifetime ('a) has no closing quote nearby.
                let close = if b.get(i + 1) == Some(&b'\\') {
                    text[i + 2..].find('\'').map(|e| i + 2 + e)
                } else if b.get(i + 2) == Some(&b'\'') {
                    Some(i + 2)
                } else {
                    None
                };
                match close {
                    Some(c) => {
                        out.push_str("' '");
                        i = c + 1;
                    }
                    None => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            _ => {
                let ch = text[i..].chars().next().unwrap();
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Sep,
    Open,
    Close,
    Comma,
    Semi,
    Other,
}

fn tokens(code: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        let t = match c {
            ':' if chars.get(i + 1) == Some(&':') => {
                i += 1;
                Tok::Sep
            }
            '{' => Tok::Open,
            '}' => Tok::Close,
            ',' => Tok::Comma,
            ';' => Tok::Semi,
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            _ => Tok::Other,
        };
        out.push(t);
        i += 1;
    }
    out
}

/// Parses one use tree at `i` under `prefix`; returns the index after it.
fn use_tree(t: &[Tok], mut i: usize, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix.to_vec();
    loop {
        match t.get(i) {
            // `x as y`: the alias names nothing new.
            Some(Tok::Ident(s)) if s == "as" => i += 2,
            // `{self, …}` is the module itself; a leading `self::` stays for `absolute`.
            Some(Tok::Ident(s)) if s == "self" && !path.is_empty() => i += 1,
            Some(Tok::Ident(s)) => {
                path.push(s.clone());
                i += 1;
            }
            Some(Tok::Sep) => i += 1,
            Some(Tok::Open) => {
                i += 1;
                loop {
                    match t.get(i) {
                        Some(Tok::Close) => return i + 1,
                        Some(Tok::Comma) => i += 1,
                        None => return i,
                        _ => i = use_tree(t, i, &path, out),
                    }
                }
            }
            Some(Tok::Other) if path.is_empty() => return i + 1,
            _ => {
                if !path.is_empty() {
                    out.push(path);
                }
                // A glob (`*`) ends the path; the `;` or `,` is the caller's.
                return if t.get(i) == Some(&Tok::Other) {
                    i + 1
                } else {
                    i
                };
            }
        }
    }
}

/// Every path the code writes: `use` trees, and inline paths that start with `crate`,
/// `super`, `self` or a child module the file declares.
fn paths(code: &str, children: &BTreeSet<String>) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let t = tokens(code);
    let mut all = Vec::new();
    let mut reexported = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i] == Tok::Ident("use".into()) {
            let public = i > 0 && matches!(&t[i - 1], Tok::Ident(s) if s == "pub")
                || i > 3
                    && t[i - 1] == Tok::Other
                    && matches!(&t[i - 3], Tok::Ident(s) if s == "pub");
            let mut found = Vec::new();
            i = use_tree(&t, i + 1, &[], &mut found);
            if public {
                reexported.extend(found.iter().cloned());
            }
            all.extend(found);
            continue;
        }
        let starts = matches!(&t[i], Tok::Ident(s)
            if (s == "crate" || s == "super" || s == "self" || children.contains(s))
                && t.get(i + 1) == Some(&Tok::Sep)
                && !(i > 0 && t[i - 1] == Tok::Sep));
        if starts {
            let mut p = Vec::new();
            while let Some(Tok::Ident(s)) = t.get(i) {
                p.push(s.clone());
                if t.get(i + 1) != Some(&Tok::Sep) {
                    break;
                }
                i += 2;
            }
            all.push(p);
        }
        i += 1;
    }
    (all, reexported)
}

fn declared_children(code: &str) -> BTreeSet<String> {
    let t = tokens(code);
    t.windows(3)
        .filter_map(|w| match w {
            [Tok::Ident(m), Tok::Ident(name), Tok::Semi] if m == "mod" => Some(name.clone()),
            _ => None,
        })
        .collect()
}

impl Tree {
    fn read(root: &Path) -> Tree {
        let mut files = BTreeMap::new();
        let mut by_module = BTreeMap::new();
        for path in rust_files(root) {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "main.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = strip(&text);
            let module = module_of(&rel);
            let children = declared_children(&code);
            let (found, reexported) = paths(&code, &children);
            let absolute = |p: &Vec<String>| absolute(&module, &children, p);
            let handed_on: BTreeSet<Vec<String>> = reexported.iter().filter_map(absolute).collect();
            let reexports = handed_on
                .iter()
                .filter_map(|p| Some((p.last()?.clone(), p.clone())))
                .collect();
            let paths = found.iter().filter_map(absolute).collect();
            by_module.insert(module, rel.clone());
            files.insert(
                rel,
                File {
                    paths,
                    reexports,
                    handed_on,
                    code,
                    documented: text.starts_with("//!"),
                },
            );
        }
        Tree { files, by_module }
    }

    /// The file that defines what `path` (absolute, from the crate root) names.
    fn target(&self, path: &[String], depth: usize) -> Option<String> {
        let mut module = Vec::new();
        let mut rest = path;
        while let Some((first, tail)) = rest.split_first() {
            let mut next = module.clone();
            next.push(first.clone());
            if !self.by_module.contains_key(&next) {
                break;
            }
            module = next;
            rest = tail;
        }
        let file = self.by_module.get(&module)?.clone();
        // A name a facade re-exports belongs to the file it comes from.
        if let Some(name) = rest.first()
            && depth < 8
            && let Some(origin) = self.files[&file].reexports.get(name)
            && origin.as_slice() != path
        {
            let mut full = origin.clone();
            full.extend(rest[1..].iter().cloned());
            return self.target(&full, depth + 1).or(Some(file));
        }
        Some(file)
    }

    fn edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.files
            .iter()
            .map(|(rel, f)| {
                let to = f
                    .paths
                    .iter()
                    .filter(|p| !f.handed_on.contains(*p))
                    .filter_map(|p| self.target(p, 0))
                    .filter(|t| t != rel)
                    .collect();
                (rel.clone(), to)
            })
            .collect()
    }
}

/// `path` as written in a file of module `module` → from the crate root; `None` for
/// other crates.
fn absolute(
    module: &[String],
    children: &BTreeSet<String>,
    path: &[String],
) -> Option<Vec<String>> {
    let first = path.first()?;
    // The module a `super` starts from: a folder's mod.rs is the folder itself.
    let mut base: Vec<String> = module.to_vec();
    let mut rest = path;
    match first.as_str() {
        "crate" => {
            base.clear();
            rest = &path[1..];
        }
        "self" => rest = &path[1..],
        "super" => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        s if children.contains(s) => {}
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Every circle of the graph (strongly connected sets of more than one file), as sorted lists.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for m in edges.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    todo.push(m.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        edges.keys().map(|k| (k, reach(k))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for a in edges.keys() {
        let mut group: Vec<String> = reachable[a]
            .iter()
            .filter(|b| *b != a && reachable.get(b).is_some_and(|r| r.contains(a)))
            .cloned()
            .collect();
        if group.is_empty() {
            continue;
        }
        group.push(a.clone());
        group.sort();
        if !out.contains(&group) {
            out.push(group);
        }
    }
    out
}

/// Which `cluster/` sub-folder a file is in (`None`: the root or outside `cluster/`).
fn folder(rel: &str) -> Option<&str> {
    let rest = rel.strip_prefix("cluster/")?;
    let (first, _) = rest.split_once('/')?;
    Some(first)
}

/// Every broken rule, one line each.
fn violations(root: &Path) -> Vec<String> {
    let tree = Tree::read(root);
    let edges = tree.edges();
    let mut out = Vec::new();
    for (from, tos) in &edges {
        for to in tos {
            let (f, t) = (folder(from), folder(to));
            let at_root = from.starts_with("cluster/") && f.is_none();
            if at_root && t.is_some() {
                out.push(format!(
                    "{from} is at the cluster/ root but imports {to} from a sub-folder"
                ));
            }
            if matches!(f, Some("diagnose" | "data" | "adopt")) && t.is_some() && t != f {
                out.push(format!(
                    "{from} may import only the cluster/ root, but imports {to}"
                ));
            }
            if from.starts_with("spec/") && to.starts_with("render/") {
                out.push(format!("{from} (spec/) imports {to} (render/)"));
            }
        }
    }
    for c in circles(&edges) {
        out.push(format!("import circle: {}", c.join(" <-> ")));
    }
    for (rel, f) in &tree.files {
        let may_read_env =
            rel == "settings.rs" || rel == "failpoint.rs" || rel.starts_with("commands/");
        let reads = ["env::var(", "env::var_os(", "env::vars(", "env::vars_os("]
            .iter()
            .any(|p| f.code.contains(p));
        if reads && !may_read_env {
            out.push(format!(
                "{rel} reads an environment variable: resolve it in settings.rs or commands/ and pass it down"
            ));
        }
        if !f.documented {
            out.push(format!(
                "{rel} does not open with a //! line saying what it is for"
            ));
        }
        let allows = f
            .code
            .lines()
            .any(|l| l.contains("allow") && l.contains("too_many_"));
        if allows {
            out.push(format!("{rel} allows a too_many_* lint"));
        }
    }
    out
}

#[test]
fn src_follows_the_layering_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let v = violations(&root);
    assert!(
        v.is_empty(),
        "the layering rules are broken:\n{}",
        v.join("\n")
    );
}

/// The checker itself: a tree that breaks every rule is caught on each.
#[test]
fn the_checker_catches_each_broken_rule() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "lib.rs",
        "//! The crate.\npub mod cluster;\npub mod spec;\npub mod render;\n",
    );
    w(
        "cluster/mod.rs",
        "pub mod lock;\npub mod install;\npub mod data;\npub use lock::Job;\n",
    );
    w(
        "cluster/lock.rs",
        "use super::install::deploy;\npub struct Job;\nfn f() { let _ = std::env::var(\"X\"); }\n",
    );
    w("cluster/install/mod.rs", "pub mod deploy;\n");
    w(
        "cluster/install/deploy.rs",
        "// use crate::cluster::data::restore; (a comment names nothing)\nuse crate::cluster::data::restore::stop;\npub fn go() {}\n",
    );
    w("cluster/data/mod.rs", "pub mod restore;\n");
    w(
        "cluster/data/restore.rs",
        "pub fn stop() { crate::cluster::install::deploy::go(); let _ = \"crate::render::x\"; }\n#[allow(clippy::too_many_arguments)]\nfn g() {}\n",
    );
    w(
        "spec/mod.rs",
        "pub fn v() -> String { crate::render::tag() }\n",
    );
    w(
        "render/mod.rs",
        "pub fn tag() -> String { String::new() }\n",
    );
    let v = violations(dir.path());
    let has = |needle: &str| {
        assert!(
            v.iter().any(|l| l.contains(needle)),
            "expected a violation containing {needle:?} in:\n{}",
            v.join("\n")
        )
    };
    has("cluster/lock.rs is at the cluster/ root but imports cluster/install/deploy.rs");
    has(
        "cluster/data/restore.rs may import only the cluster/ root, but imports cluster/install/deploy.rs",
    );
    has("spec/mod.rs (spec/) imports render/mod.rs (render/)");
    has("import circle: cluster/data/restore.rs <-> cluster/install/deploy.rs");
    has("cluster/lock.rs reads an environment variable");
    has("cluster/data/restore.rs allows a too_many_* lint");
    has("render/mod.rs does not open with a //! line");
    assert!(
        !v.iter().any(|l| l.contains("lib.rs does not open")),
        "lib.rs opens with //!: {v:?}"
    );
    assert!(
        !v.iter()
            .any(|l| l.contains("cluster/mod.rs") && !l.contains("does not open")),
        "a facade's pub use is no import: {v:?}"
    );
}

/// Paths inside strings, comments and unit tests name nothing; `super` in a folder's mod.rs
/// starts from the folder's parent.
#[test]
fn strings_comments_and_tests_are_not_imports() {
    let code = strip(
        "let s = \"super::x\"; // super::y\n/* crate::z */ let c = '{'; let r = r#\"crate::q\"#;\n#[cfg(test)]\nmod tests { use crate::w; }",
    );
    let (p, _) = paths(&code, &BTreeSet::new());
    assert!(p.is_empty(), "{p:?}");
    let abs = absolute(
        &module_of("cluster/adopt/mod.rs"),
        &BTreeSet::new(),
        &["super".into(), "lock".into()],
    );
    assert_eq!(abs, Some(vec!["cluster".to_string(), "lock".to_string()]));
}
