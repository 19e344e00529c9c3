//! docs/keys.md is generated from the keymap (`BINDINGS`, in the order of the `?` help screen):
//! change a key in src/tui/keymap.rs, then run
//! `SATUI_UPDATE_DOCS=1 cargo test --test ui keys_doc` to regenerate the page.

use satui::tui::action::Command;
use satui::tui::keymap::{self, BINDINGS};

use super::golden;

const PATH: &str = "docs/keys.md";

const INTRO: &str = "\
# Keys

<!-- Generated from BINDINGS in src/tui/keymap.rs by tests/ui/keys_doc.rs: do not edit by hand.
     Regenerate with: SATUI_UPDATE_DOCS=1 cargo test --test ui keys_doc -->

One table in `src/tui/keymap.rs` drives key dispatch, the footer hints and the `?` help screen,
and this page is generated from it, in the order of the `?` help screen (the context's title, then
its `Context` name). The keys that apply are those of the top popup; with no popup, those of the
filter while it is open; otherwise those of the view (plus the Tokens pane keys, which win, while
that pane has focus), then \"Every view\". While a text field or the filter has focus, plain
characters are typed into it rather than treated as commands, and the line editing keys of \"Text
fields and the filter\" apply. `Ctrl-C` always quits (over a token not yet copied, it asks first). With the mouse on (the default, see
[configuration](guide/configuration.md)), clicks select rows, focus panes and switch views, and the
wheel acts like `↓`/`↑`. The `[keys]` column is the command's name for a `[keys]` table in
config.toml, which gives it keys of your own ([configuration](guide/configuration.md#keys-of-your-own)).

| context | keys | what it does | `[keys]` |
|---|---|---|---|
";

/// A key or a help text inside a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The page: one row per command of each context, its keys joined by ` / `.
pub fn keys_markdown() -> String {
    let mut out = String::from(INTRO);
    for (title, _) in keymap::help_sections() {
        let mut rows: Vec<(Command, Vec<String>, &str, String)> = Vec::new();
        // Ctrl-C (Global) always quits: it takes no `[keys]`.
        for binding in BINDINGS.iter().filter(|b| b.context.title() == title) {
            let key = format!("`{}`", keymap::key_name(binding).replace('`', "\\`"));
            match rows.iter_mut().find(|(command, ..)| *command == binding.command) {
                Some(row) => row.1.push(key),
                None => rows.push((binding.command, vec![key], binding.help, format!("{:?}", binding.context))),
            }
        }
        for (command, keys, help, context) in rows {
            let name = if context == "Global" { String::new() } else { format!("`{}`", keymap::command_name(command)) };
            out.push_str(&format!(
                "| {} (`{context}`) | {} | {} | {name} |\n",
                cell(title),
                cell(&keys.join(" / ")),
                cell(help)
            ));
        }
    }
    out
}

#[test]
fn docs_keys_md_is_generated_from_the_keymap() {
    golden::assert_current(vec![golden::check(PATH, &keys_markdown())], "keys_doc");
}

#[test]
fn every_binding_is_in_the_keys_page() {
    let page = keys_markdown();
    for binding in BINDINGS {
        let row = format!("| {} (`{:?}`) |", cell(binding.context.title()), binding.context);
        let key = format!("`{}`", keymap::key_name(binding));
        assert!(page.lines().any(|l| l.starts_with(&row) && l.contains(&key)), "{row} {key} is missing from the page");
    }
}
