//! The shape of the code, checked on every `cargo test`: no import circle
//! among the app's files or among the crate's top-level modules, an app
//! core that imports nothing of the workers, the terminal or the CLI, and
//! no dependency that nothing uses.
//!
//! The imports are read from the sources as text (comments and `tests`
//! modules left out): `crate::a::b`, `super::x`, `use crate::{a, b}`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its `tests` module.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("a source file reads");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Module paths named after each occurrence of `prefix` (`crate::` or
/// `super::`): `a::b::c` gives ["a", "b", "c"]; a brace group gives one
/// path per member.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut segs = Vec::new();
        let mut s = rest;
        loop {
            if let Some(group) = s.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for member in group[..end].split(',') {
                    let mut p = segs.clone();
                    p.extend(
                        member
                            .trim()
                            .split("::")
                            .map(ident_at)
                            .filter(|x| !x.is_empty()),
                    );
                    out.push(p);
                }
                break;
            }
            let id = ident_at(s);
            if id.is_empty() {
                out.push(segs);
                break;
            }
            s = &s[id.len()..];
            segs.push(id);
            match s.strip_prefix("::") {
                Some(next) => s = next,
                None => {
                    out.push(segs);
                    break;
                }
            }
        }
    }
    out
}

/// Strongly connected components with more than one member.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan, iteratively small enough to recurse
    struct T<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on: BTreeSet<String>,
        out: Vec<Vec<String>>,
    }
    fn visit(t: &mut T, v: &str) {
        let n = t.index.len();
        t.index.insert(v.into(), n);
        t.low.insert(v.into(), n);
        t.stack.push(v.into());
        t.on.insert(v.into());
        for w in t.edges.get(v).into_iter().flatten() {
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low[v];
                t.low.insert(v.into(), lv.min(lw));
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low[v];
                t.low.insert(v.into(), lv.min(iw));
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(&w);
                let done = w == v;
                comp.push(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

/// The modules of `src/app` by path (`update/tags`, `state`…), each with
/// the app modules it imports.
fn app_imports() -> BTreeMap<String, BTreeSet<String>> {
    let dir = root().join("src/app");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let mut modules = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap().with_extension("");
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.ends_with("tests") {
            continue; // test modules may reach anywhere
        }
        let name = match rel.strip_suffix("/mod") {
            Some(d) => d.to_string(),
            None if rel == "mod" => String::new(),
            None => rel,
        };
        modules.insert(name, f.clone());
    }
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (name, file) in &modules {
        let is_dir = file.ends_with("mod.rs");
        // what `super::` names, as a module path
        let parent: Vec<String> = {
            let mut p: Vec<String> = name
                .split('/')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            p.pop();
            if is_dir {
                // mod.rs: `super` is the parent of the directory's module
            }
            p
        };
        let code = code(file);
        let mut refs: Vec<Vec<String>> = Vec::new();
        for p in paths_after(&code, "crate::app::") {
            refs.push(p);
        }
        for p in paths_after(&code, "super::") {
            let mut full = parent.clone();
            full.extend(p);
            refs.push(full);
        }
        let mut to = BTreeSet::new();
        for segs in refs {
            for k in (1..=segs.len()).rev() {
                let cand = segs[..k].join("/");
                if known.contains(&cand) && cand != *name && !name.starts_with(&format!("{cand}/"))
                {
                    to.insert(cand);
                    break;
                }
            }
        }
        edges.insert(name.clone(), to);
    }
    edges
}

#[test]
fn the_files_of_the_app_import_each_other_without_a_circle() {
    let edges = app_imports();
    assert!(edges.len() > 15, "src/app read: {:?}", edges.keys());
    // the reader sees what is there: state holds the feature states
    assert!(edges["state"].contains("search"), "{:?}", edges["state"]);
    assert!(
        edges["update/tags"].contains("tags"),
        "{:?}",
        edges["update/tags"]
    );
    let found = circles(&edges);
    assert!(found.is_empty(), "import circles in src/app: {found:?}");
}

#[test]
fn the_app_core_imports_nothing_of_the_workers_the_terminal_or_the_cli() {
    let mut files = Vec::new();
    rust_files(&root().join("src/app"), &mut files);
    let forbidden = [
        "worker", "download", "browser", "cli", "ui", "headless", "driver", "term",
    ];
    let mut found = Vec::new();
    for f in files.iter().filter(|f| !f.ends_with("tests.rs")) {
        for p in paths_after(&code(f), "crate::") {
            if let Some(first) = p.first() {
                if forbidden.contains(&first.as_str()) {
                    found.push(format!("{}: crate::{}", f.display(), p.join("::")));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_top_level_modules_import_each_other_without_a_circle() {
    let src = root().join("src");
    let mut modules = BTreeMap::new();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        let p = e.path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let mut files = Vec::new();
        if p.is_dir() {
            rust_files(&p, &mut files);
        } else {
            files.push(p);
        }
        files.retain(|f| !f.ends_with("tests.rs"));
        modules.insert(name, files);
    }
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (name, files) in &modules {
        let mut to = BTreeSet::new();
        for f in files {
            for p in paths_after(&code(f), "crate::") {
                if let Some(first) = p.first() {
                    if known.contains(first) && first != name {
                        to.insert(first.clone());
                    }
                }
            }
        }
        edges.insert(name.clone(), to);
    }
    assert!(
        edges["browser"].contains("driver"),
        "{:?}",
        edges["browser"]
    );
    let found = circles(&edges);
    assert!(found.is_empty(), "import circles among src/*: {found:?}");
}

/// The dependencies a manifest declares (normal, dev and build), as the
/// names code uses (`-` becomes `_`).
fn declared(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let mut out = BTreeSet::new();
    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(t) = doc.get(section).and_then(|v| v.as_table()) {
            for (name, spec) in t {
                // `package = "…"` renames: code uses the key
                let _ = spec;
                out.insert(name.replace('-', "_"));
            }
        }
    }
    out
}

#[test]
fn every_dependency_of_every_crate_is_used() {
    let crates = [
        (".", vec!["src", "tests", "benches", "build.rs"]),
        ("crates/api", vec!["src", "tests", "benches"]),
        ("crates/pixels", vec!["src"]),
        ("crates/server", vec!["src", "tests", "benches", "build.rs"]),
        ("crates/twelvelabs", vec!["src", "tests"]),
        ("tools/gen-demo", vec!["src"]),
    ];
    let mut unused = Vec::new();
    for (dir, code_dirs) in crates {
        let base = root().join(dir);
        let mut text = String::new();
        for d in code_dirs {
            let p = base.join(d);
            let mut files = Vec::new();
            if p.is_dir() {
                rust_files(&p, &mut files);
            } else if p.is_file() {
                files.push(p);
            }
            for f in files {
                text.push_str(&std::fs::read_to_string(&f).unwrap());
                text.push('\n');
            }
        }
        let deps = declared(&base.join("Cargo.toml"));
        assert!(!deps.is_empty(), "{dir}/Cargo.toml lists dependencies");
        for dep in deps {
            let used = [
                format!("{dep}::"),
                format!("use {dep}"),
                format!("extern crate {dep}"),
                format!("{dep}!"),
                format!("#[{dep}"),
            ]
            .iter()
            .any(|needle| text.contains(needle.as_str()));
            if !used {
                unused.push(format!("{dir}: {dep}"));
            }
        }
    }
    assert!(
        unused.is_empty(),
        "dependencies nothing uses (remove them from Cargo.toml): {unused:#?}"
    );
}
