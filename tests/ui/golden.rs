//! Generated files checked in under docs/ (the keys table, the pictures): a test regenerates each
//! in memory and fails when the checked-in file differs; with `SATUI_UPDATE_DOCS=1` it rewrites
//! the file instead.

use std::path::{Path, PathBuf};

/// `path` relative to the repository root.
pub fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Is `SATUI_UPDATE_DOCS` set (to anything but empty or `0`)?
pub fn updating() -> bool {
    std::env::var("SATUI_UPDATE_DOCS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Compares `generated` with the file at `path` (relative to the repository root), or writes it
/// when updating. Returns a description of the difference, None when they agree.
pub fn check(path: &str, generated: &str) -> Option<String> {
    let file = repo_file(path);
    if updating() {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).expect("create the docs directory");
        }
        if std::fs::read_to_string(&file).ok().as_deref() != Some(generated) {
            std::fs::write(&file, generated).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
        }
        return None;
    }
    let current = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) => return Some(format!("{path}: cannot read it ({e})")),
    };
    if current == generated {
        return None;
    }
    let line = current.lines().zip(generated.lines()).position(|(a, b)| a != b);
    let at = match line {
        Some(i) => format!(
            "first difference at line {}:\n  file:      {}\n  generated: {}",
            i + 1,
            current.lines().nth(i).unwrap_or(""),
            generated.lines().nth(i).unwrap_or("")
        ),
        None => format!("lengths differ ({} vs {} lines)", current.lines().count(), generated.lines().count()),
    };
    Some(format!("{path} is out of date; {at}"))
}

/// Panics with the regeneration command when any of `differences` is set.
pub fn assert_current(differences: Vec<Option<String>>, test: &str) {
    let differences: Vec<String> = differences.into_iter().flatten().collect();
    assert!(
        differences.is_empty(),
        "{}\nrun SATUI_UPDATE_DOCS=1 cargo test --test ui {test} to regenerate, and review the diff",
        differences.join("\n")
    );
}
