//! Embeds the demo libraries (`assets/demo/` and `assets/twelvelabs/` at
//! the top of the repository) into the server crate, so that
//! `assetui` with no credentials browses them wherever the binary lives.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, root, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !rel.ends_with(".md") {
                out.push((rel, path.clone()));
            }
        }
    }
}

/// Writes `OUT_DIR/{out}`: a table `{table}` of the files under
/// `assets/{dir}` (paths relative to it, `.md` files left out).
fn embed(dir: &str, table: &str, out: &str) {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest_dir.join("../../assets").join(dir);
    println!("cargo:rerun-if-changed=../../assets/{dir}");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    for (_, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let mut code = format!("/// Files of the library in assets/{dir}: (path inside it, bytes).\n");
    let _ = writeln!(code, "pub static {table}: &[(&str, &[u8])] = &[");
    for (rel, path) in &files {
        let _ = writeln!(
            code,
            "    ({rel:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join(out);
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}

fn main() {
    // the demo libraries stay at the top of the repository, where a
    // newcomer looks for them
    embed("demo", "DEMO_FILES", "demo_files.rs");
    embed("twelvelabs", "TWELVELABS_FILES", "twelvelabs_files.rs");
}
