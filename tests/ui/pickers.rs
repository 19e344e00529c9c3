//! Narrowing pickers wherever a value comes from a known set, and the keystrokes the everyday
//! chores take (the table in docs/guide/ui.md comes from these counts).

use crossterm::event::KeyCode;
use satui::domain::permission::Permission;
use satui::tui::form::FieldKey;
use satui::tui::state::Popup;

use super::harness::Harness;

/// A harness that counts the keys pressed, not the text typed.
struct Counted {
    h: Harness,
    keys: usize,
}

impl Counted {
    fn new(h: Harness) -> Counted {
        Counted { h, keys: 0 }
    }
    fn key(&mut self, code: KeyCode) {
        self.keys += 1;
        self.h.key(code);
    }
    fn ctrl(&mut self, c: char) {
        self.keys += 1;
        self.h.ctrl(c);
    }
    fn text(&mut self, text: &str) {
        self.h.chars(text);
    }
}

fn picker_matches(h: &Harness, key: FieldKey) -> Vec<String> {
    let Some(Popup::Form(form)) = h.state.popups.last() else { panic!("no form:\n{}", h.screen()) };
    let picker = form.field(key).and_then(|f| f.picker()).expect("a picker field");
    picker.matches.iter().map(|i| picker.options[*i].clone()).collect()
}

#[test]
fn a_custom_role_with_three_permissions_takes_under_25_keys_besides_the_text() {
    let mut c = Counted::new(Harness::demo());
    c.key(KeyCode::Char('3'));
    c.key(KeyCode::Char('n'));
    c.text("deployer-x");
    c.key(KeyCode::Tab);
    c.key(KeyCode::Tab);
    c.text("dashboards:wri");
    c.key(KeyCode::Enter); // the scope was filled with the action's usual one
    c.key(KeyCode::Char('a'));
    c.text("folders:re");
    c.key(KeyCode::Enter);
    c.key(KeyCode::Char('a'));
    c.text("annotations:cre");
    c.key(KeyCode::Tab);
    c.ctrl('u');
    c.text("dashboards:*");
    c.key(KeyCode::Enter);
    let role = c.h.service.find_role(1, "deployer-x").unwrap();
    let held: Vec<Permission> = c.h.service.role_permissions(&role).unwrap();
    let pairs: Vec<(String, String)> = held.iter().map(|p| (p.action.clone(), p.scope.clone())).collect();
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    assert!(pairs.contains(&("dashboards:write".into(), "dashboards:*".into())), "{pairs:?}");
    assert!(pairs.contains(&("folders:read".into(), "folders:*".into())), "{pairs:?}");
    assert!(pairs.contains(&("annotations:create".into(), "dashboards:*".into())), "{pairs:?}");
    assert!(c.keys < 25, "{} keys", c.keys);
    assert_eq!(c.keys, 11, "3 n Tab Tab Enter, a Enter, a Tab Ctrl-U Enter");
}

#[test]
fn typing_narrows_the_action_picker_and_arrows_move_among_the_matches() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('n'));
    h.keys(&[KeyCode::Tab, KeyCode::Tab]);
    let all = picker_matches(&h, FieldKey::Action).len();
    assert!(all > 100, "every catalog action: {all}");
    h.chars("dash");
    let matches = picker_matches(&h, FieldKey::Action);
    assert!(matches.len() < all && matches.iter().all(|m| m.contains("dash")), "{matches:?}");
    assert!(matches[0].starts_with("dash"), "prefix matches first: {matches:?}");
    h.key(KeyCode::Down);
    assert!(h.screen().contains(&format!("▸ {}", matches[1])), "{}", h.screen());
    h.chars("zzz");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("no action matches 'dashzzz'"), "{}", h.screen());
}

#[test]
fn removing_a_permission_picks_from_those_the_role_holds() {
    let mut c = Counted::new(Harness::demo());
    c.key(KeyCode::Char('3'));
    assert_eq!(c.h.state.shown.roles.selected().unwrap().name, "alert-editor");
    c.key(KeyCode::Char('u'));
    let offered = picker_matches(&c.h, FieldKey::Action);
    assert_eq!(offered, ["alert.rules:read folders:*", "alert.rules:write folders:uid:oncall"]);
    c.key(KeyCode::Down);
    c.key(KeyCode::Enter);
    let role = c.h.service.find_role(1, "alert-editor").unwrap();
    let left: Vec<String> = c.h.service.role_permissions(&role).unwrap().iter().map(|p| p.action.clone()).collect();
    assert_eq!(left, ["alert.rules:read"]);
    assert_eq!(c.keys, 4, "3, u, ↓, Enter");
}

#[test]
fn giving_a_role_picks_from_the_orgs_roles_and_taking_one_from_those_held() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("terraform");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    let offered = picker_matches(&h, FieldKey::Target);
    assert!(offered.contains(&"dashboard-publisher".to_string()) && offered.iter().any(|r| r.starts_with("fixed:")));
    assert!(
        !offered.iter().any(|r| r == "Admin" || r.starts_with("managed:")),
        "basic and plugin roles are not given here"
    );
    h.chars("publisher");
    h.key(KeyCode::Enter);
    let terraform = h.service.find_account(1, "terraform").unwrap();
    assert!(h.service.account_roles(terraform.id).unwrap().contains(&"dashboard-publisher".to_string()));
    h.key(KeyCode::Char('u'));
    let held = picker_matches(&h, FieldKey::Target);
    assert_eq!(held, h.service.account_roles(terraform.id).unwrap());
}

#[test]
fn adding_an_account_to_a_group_takes_three_keys_besides_the_name_and_picks_from_the_store() {
    let mut c = Counted::new(Harness::demo());
    c.key(KeyCode::Char('2'));
    c.key(KeyCode::Char('a'));
    c.text("graf");
    assert_eq!(picker_matches(&c.h, FieldKey::Target), ["grafana-backup"], "names from the store, narrowed");
    c.key(KeyCode::Enter);
    let ci = c.h.service.group_details(1).unwrap().into_iter().find(|g| g.group.name == "ci").unwrap();
    assert!(ci.members.contains(&"grafana-backup".to_string()), "{:?}", ci.members);
    assert_eq!(c.keys, 3);
    // Removing offers only the group's members.
    c.key(KeyCode::Char('u'));
    assert_eq!(picker_matches(&c.h, FieldKey::Target), ci.members);
}

#[test]
fn a_name_typed_in_full_is_picked_before_longer_ones() {
    let mut picker = satui::tui::form::Picker::new(vec!["ops-admin".into(), "devops".into(), "ops".into()], false);
    for c in "ops".chars() {
        picker.query.insert(c);
    }
    picker.refilter();
    assert_eq!(picker.highlighted(), Some("ops"));
    let order: Vec<&str> = picker.matches.iter().map(|i| picker.options[*i].as_str()).collect();
    assert_eq!(order, ["ops", "ops-admin", "devops"]);
}

/// Issue 24, friction 7: pickers match fuzzily (`dashcre` → `dashboards:create`), prefix matches
/// still first, and the matched characters are highlighted.
#[test]
fn pickers_match_fuzzily_with_prefix_matches_first_and_highlight_the_hits() {
    use satui::tui::form::Input;
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('n'));
    h.chars("fuzzy-role");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    let picker = |h: &Harness| {
        let Some(Popup::Form(form)) = h.state.popups.last() else { panic!("no form") };
        let field = form.fields.iter().find(|f| f.label == "Action").unwrap();
        let Input::Pick(picker) = &field.input else { panic!("not a picker") };
        picker.clone()
    };
    h.chars("dashcre");
    let p = picker(&h);
    assert!(!p.matches.is_empty(), "dashcre finds something");
    assert_eq!(p.options[p.matches[0]], "dashboards:create");
    // The hits are drawn bold and underlined: d, a, s, h, c, r, e of dashboards:create.
    let buffer = h.buffer_at(120, 32);
    let screen = h.screen_at(120, 32);
    let row = screen.lines().position(|l| l.contains("▸ dashboards:create")).expect("the highlighted match");
    let line: Vec<&ratatui::buffer::Cell> = (0..120).map(|x| &buffer[(x, row as u16)]).collect();
    let start = line.iter().position(|c| c.symbol() == "▸").unwrap() + 2;
    let bold: Vec<bool> =
        (0..17).map(|i| line[start + i].modifier.contains(ratatui::style::Modifier::UNDERLINED)).collect();
    assert_eq!(bold.iter().filter(|b| **b).count(), 7, "{bold:?}");
    assert!(bold[0] && bold[1] && bold[2] && bold[3], "dash at the start");
    // A prefix still wins over a fuzzy match.
    for _ in 0.."dashcre".len() {
        h.key(KeyCode::Backspace);
    }
    h.chars("dash");
    let p = picker(&h);
    assert!(p.options[p.matches[0]].starts_with("dash"), "{}", p.options[p.matches[0]]);
}
