//! Plugins from the UI (issue 24, friction 14): `P` in view 1 lists the org's plugins; `n`
//! registers one from a plugin.json (the path completes with Tab), `e` registers it again (its
//! permissions follow the file), `d` unregisters it; all in the org shown.

use crossterm::event::KeyCode;
use satui::tui::state::Popup;

use super::harness::Harness;

fn plugin_json(dir: &std::path::Path, actions: &[&str]) -> std::path::PathBuf {
    let permissions: Vec<String> =
        actions.iter().map(|a| format!(r#"{{"action": "{a}", "scope": "dashboards:*"}}"#)).collect();
    let text = format!(r#"{{"id": "acme-test-app", "iam": {{"permissions": [{}]}}}}"#, permissions.join(", "));
    let path = dir.join("plugin.json");
    std::fs::write(&path, text).unwrap();
    path
}

fn plugin_rows(h: &Harness) -> Vec<String> {
    h.state
        .popups
        .iter()
        .find_map(|p| match p {
            Popup::Plugins { rows: Some(rows), .. } => Some(rows.iter().map(|r| r.plugin_id.clone()).collect()),
            _ => None,
        })
        .expect("the plugins list is open and loaded")
}

#[test]
fn register_again_and_unregister_a_plugin_in_the_org_shown() {
    let mut h = Harness::demo();
    h.clipboard_works = true;
    // Main Org. has the demo's OnCall plugin.
    h.key(KeyCode::Char('P'));
    assert_eq!(plugin_rows(&h), ["grafana-oncall-app"]);
    assert!(h.screen().contains("Plugins of Main Org."), "{}", h.screen());
    h.key(KeyCode::Esc);
    // Staging has none; register one there.
    h.key(KeyCode::Char(':'));
    h.chars("org Staging");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('P'));
    assert!(plugin_rows(&h).is_empty());
    assert!(h.screen().contains("No plugin is registered in this org"), "{}", h.screen());
    let dir = tempfile::tempdir().unwrap();
    let path = plugin_json(dir.path(), &["dashboards:read"]);
    h.key(KeyCode::Char('n'));
    // The folder, then Tab: the one .json file there completes the path.
    h.chars(&format!("{}/pl", dir.path().display()));
    h.key(KeyCode::Tab);
    assert!(h.screen().contains(&format!("{}", path.display())), "{}", h.screen());
    h.key(KeyCode::Enter);
    // Its token is shown once.
    let secret = h.revealed_secret().expect("the plugin's token is revealed");
    assert!(secret.starts_with("sat_"));
    h.key(KeyCode::Char('c'));
    h.key(KeyCode::Enter);
    assert_eq!(plugin_rows(&h), ["acme-test-app"]);
    let staging = h.state.org.as_ref().unwrap().id;
    let account = h.service.plugins().unwrap().into_iter().find(|p| p.plugin_id == "acme-test-app").unwrap().account;
    assert_eq!(account.org_id, staging, "registered in the org shown, not Main Org.");

    // Again, with one more permission: the account and token stay.
    plugin_json(dir.path(), &["dashboards:read", "dashboards:write"]);
    h.key(KeyCode::Char('e'));
    assert!(h.screen().contains("Register plugin acme-test-app again"), "{}", h.screen());
    h.chars(&path.display().to_string());
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("1 permission(s) added, 0 removed"), "{}", h.screen());
    assert!(h.revealed_secret().is_none(), "no new token on a second registration");
    let again = h.service.plugins().unwrap().into_iter().find(|p| p.plugin_id == "acme-test-app").unwrap();
    assert_eq!((again.account.id, again.permissions, again.live_tokens), (account.id, 2, 1));

    // Unregister: asks, then the account and its tokens are gone.
    h.key(KeyCode::Char('d'));
    assert!(h.screen().contains("Unregister plugin acme-test-app?"), "{}", h.screen());
    h.key(KeyCode::Char('y'));
    assert!(plugin_rows(&h).is_empty());
    assert!(h.service.plugins().unwrap().iter().all(|p| p.plugin_id != "acme-test-app"));
}

#[test]
fn a_path_that_is_not_a_plugin_json_is_refused_in_the_form_and_changes_nothing() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('P'));
    let before = h.service.plugins().unwrap().len();
    h.key(KeyCode::Char('n'));
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("give the path of the plugin's plugin.json"), "{}", h.screen());
    h.chars("/no/such/plugin.json");
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(matches!(h.state.popups.last(), Some(Popup::Form(_))), "the form stays:\n{screen}");
    assert!(screen.contains("/no/such/plugin.json"), "the input is kept:\n{screen}");
    assert_eq!(h.service.plugins().unwrap().len(), before);
}

/// `e` (register again) with another plugin's plugin.json is refused in the form: it would have
/// added a second plugin with a new account and token.
#[test]
fn registering_again_from_another_plugins_file_is_refused() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('P'));
    let dir = tempfile::tempdir().unwrap();
    let other = plugin_json(dir.path(), &["dashboards:read"]);
    let before = h.service.plugins().unwrap().len();
    h.key(KeyCode::Char('e'));
    h.chars(&other.display().to_string());
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        screen.contains("is plugin acme-test-app's plugin.json") && screen.contains("not grafana-oncall-app's"),
        "{screen}"
    );
    assert!(matches!(h.state.popups.last(), Some(Popup::Form(_))), "{screen}");
    assert_eq!(h.service.plugins().unwrap().len(), before);
}

/// Tab completes a path only as far as every entry starting so agrees, however many there are.
#[test]
fn tab_completes_a_path_as_far_as_all_its_matches_agree() {
    let mut h = Harness::demo();
    let dir = tempfile::tempdir().unwrap();
    for name in ["xx1", "xx2", "xx3", "xx4", "xx5", "xx6", "xx7", "xx8", "xy"] {
        std::fs::write(dir.path().join(format!("{name}.json")), "{}").unwrap();
    }
    h.key(KeyCode::Char('P'));
    h.key(KeyCode::Char('n'));
    let folder = format!("{}/", dir.path().display());
    h.chars(&folder);
    h.key(KeyCode::Tab);
    let Some(Popup::Form(form)) = h.state.popups.last() else { panic!("the form") };
    assert_eq!(form.field(satui::tui::form::FieldKey::Path).unwrap().text_value(), format!("{folder}x"));
}
