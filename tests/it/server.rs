//! `satui serve` contract tests: the real server on 127.0.0.1:0, real HTTP, replaying the call
//! sequences of Grafana's own clients (the Python `grafana-client` and the Terraform provider,
//! captured from their code) and asserting Grafana's bodies and status codes.

use std::sync::Arc;
use std::thread::JoinHandle;

use satui::domain::expiry::{ExpiryRequest, Lifetime};
use satui::domain::role::BasicRole;
use serde_json::{Value, json};

use crate::common::{DAY, Fixture, T0, days, new_account, new_token};

pub(crate) struct Server {
    pub(crate) base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), satui::server::ServeError>>>,
    agent: ureq::Agent,
}

impl Server {
    /// The real server over the fixture's store, with the fixture's clock.
    pub(crate) fn start(fx: &Fixture) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        Server::start_on(fx, listener, base)
    }

    /// The server on a listener of the test's choosing, reached at `base`.
    pub(crate) fn start_on(fx: &Fixture, listener: std::net::TcpListener, base: String) -> Server {
        let pool = satui::server::open_pool(&fx.path, 4, fx.clock.clone()).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(satui::server::serve(listener, pool, None, true, async {
                let _ = stopped.await;
            }))
        });
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Server { base, stop: Some(stop), thread: Some(thread), agent }
    }

    pub(crate) fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
        self.call_with(method, path, token, body, &[]).0
    }

    /// A request; the status, the JSON body (or the text as a string), and the response headers.
    pub(crate) fn call_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> ((u16, Value), Vec<(String, String)>) {
        let url = format!("{}{path}", self.base);
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(body.unwrap_or("").to_string()).unwrap();
        let mut response = self.agent.run(request).unwrap();
        let status = response.status().as_u16();
        let head: Vec<(String, String)> =
            response.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        ((status, value), head)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An Admin account in Main Org. with a token, the way an admin makes the first one.
pub(crate) fn admin_token(fx: &mut Fixture) -> String {
    let admin = fx.service.create_account(1, &new_account("terraform", BasicRole::Admin)).unwrap();
    fx.service.create_token(admin.id, &new_token("api", days(30))).unwrap().secret.expose().to_string()
}

#[test]
fn health_answers_without_a_token() {
    let fx = Fixture::new();
    let server = Server::start(&fx);
    let (status, body) = server.call("GET", "/api/health", None, None);
    assert_eq!(status, 200);
    assert_eq!(body["database"], "ok");
    assert!(body["version"].is_string());
    let (status, body) = server.call("GET", "/api/frontend/settings", None, None);
    assert_eq!((status, body["buildInfo"]["edition"].as_str()), (200, Some("satui")));
}

/// grafana_client.elements.ServiceAccount, method by method, as captured from grafana-client 5.1.4.
#[test]
fn grafana_client_service_account_methods() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let server = Server::start(&fx);
    let t = Some(token.as_str());

    // create(): POST /api/serviceaccounts/ (trailing slash) → 201 ServiceAccountDTO.
    let (status, created) =
        server.call("POST", "/api/serviceaccounts/", t, Some(r#"{"name":"test","role":"Viewer","isDisabled":false}"#));
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["name"], "test");
    assert_eq!(created["login"], "sa-1-test");
    assert_eq!((created["orgId"].as_i64(), created["role"].as_str()), (Some(1), Some("Viewer")));
    assert_eq!((created["isDisabled"].as_bool(), created["tokens"].as_i64()), (Some(false), Some(0)));
    assert_eq!(created["avatarUrl"], "");

    // get(id): GET /api/serviceaccounts/{id}?accesscontrol=true → the profile with accessControl.
    let (status, got) = server.call("GET", &format!("/api/serviceaccounts/{id}?accesscontrol=true"), t, None);
    assert_eq!(status, 200);
    for key in
        ["id", "uid", "name", "login", "orgId", "isDisabled", "createdAt", "updatedAt", "avatarUrl", "role", "teams"]
    {
        assert!(got.get(key).is_some(), "GET lacks {key}: {got}");
    }
    assert!(got.get("tokens").is_none(), "tokens is omitted when 0, as Grafana does: {got}");
    assert_eq!(got["accessControl"]["serviceaccounts:write"], true);
    assert_eq!(got["createdAt"], "2027-01-15T08:00:00Z");

    // update(id, {...}): PATCH → {id, message, name, serviceaccount}.
    let (status, updated) = server.call(
        "PATCH",
        &format!("/api/serviceaccounts/{id}"),
        t,
        Some(r#"{"name":"test2","role":"Editor","isDisabled":true}"#),
    );
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["message"], "Service account updated");
    assert_eq!((updated["id"].as_i64(), updated["name"].as_str()), (Some(id), Some("test2")));
    let sa = &updated["serviceaccount"];
    assert_eq!((sa["role"].as_str(), sa["isDisabled"].as_bool()), (Some("Editor"), Some(true)));
    assert_eq!(sa["login"], "sa-1-test", "the login never changes");

    // create_token(id, {...}) → 200 {id, name, key}; get_tokens(id) → the list.
    let (status, issued) = server.call(
        "POST",
        &format!("/api/serviceaccounts/{id}/tokens"),
        t,
        Some(r#"{"name":"CI token","secondsToLive":3600}"#),
    );
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["name"], "CI token");
    let key = issued["key"].as_str().unwrap();
    assert!(key.starts_with("sat_") && key.len() == 42);
    let token_id = issued["id"].as_i64().unwrap();
    let (status, tokens) = server.call("GET", &format!("/api/serviceaccounts/{id}/tokens"), t, None);
    assert_eq!(status, 200);
    let listed = &tokens[0];
    assert_eq!((listed["id"].as_i64(), listed["name"].as_str()), (Some(token_id), Some("CI token")));
    assert_eq!(listed["expiration"], "2027-01-15T09:00:00Z", "exactly secondsToLive later");
    assert_eq!(listed["secondsUntilExpiration"], 3600.0);
    assert_eq!((listed["hasExpired"].as_bool(), listed["isRevoked"].as_bool()), (Some(false), Some(false)));
    assert!(listed["lastUsedAt"].is_null());
    // The stored token never comes back.
    assert!(!tokens.to_string().contains(&key[4..]));

    // delete_token(id, token_id), then delete(id).
    let (status, body) = server.call("DELETE", &format!("/api/serviceaccounts/{id}/tokens/{token_id}"), t, None);
    assert_eq!((status, body["message"].as_str()), (200, Some("Service account token deleted")));
    let (status, body) = server.call("DELETE", &format!("/api/serviceaccounts/{id}"), t, None);
    assert_eq!((status, body["message"].as_str()), (200, Some("Service account deleted")));
    let (status, body) = server.call("GET", &format!("/api/serviceaccounts/{id}"), t, None);
    assert_eq!((status, body["message"].as_str()), (404, Some("service account not found")));

    // Every change is in the audit log under the acting account's login.
    let actors: Vec<(String, String)> =
        fx.audit().iter().take(5).map(|e| (e.action.clone(), e.actor.clone())).rev().collect();
    let expected = ["sa.create", "sa.update", "sa.disable", "token.create", "token.delete"];
    let got: Vec<&str> = actors.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(got[..4], expected[1..5]);
    assert!(actors.iter().all(|(_, actor)| actor == "sa-1-terraform"), "{actors:?}");
}

/// search(): page 1, 2, ... until a page is empty; search_one(): the first page's totalCount.
#[test]
fn grafana_client_search_pages_until_empty_and_search_one_relies_on_total_count() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    for i in 0..5 {
        fx.service.create_account(1, &new_account(&format!("bot-{i}"), BasicRole::Viewer)).unwrap();
    }
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let mut seen = Vec::new();
    for page in 1.. {
        let (status, body) = server.call("GET", &format!("/api/serviceaccounts/search?perpage=2&page={page}"), t, None);
        assert_eq!(status, 200);
        assert_eq!(body["totalCount"], 6);
        assert_eq!((body["page"].as_i64(), body["perPage"].as_i64()), (Some(page), Some(2)));
        let items = body["serviceAccounts"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        seen.extend(items.iter().map(|a| a["name"].as_str().unwrap().to_string()));
        assert!(page < 10, "the pages never ran out");
    }
    assert_eq!(seen.len(), 6);
    // Default perpage is 1000 and the search lists every account once, with its token count.
    let (_, all) = server.call("GET", "/api/serviceaccounts/search?page=1", t, None);
    assert_eq!(all["perPage"], 1000);
    let terraform = all["serviceAccounts"].as_array().unwrap().iter().find(|a| a["name"] == "terraform").unwrap();
    assert_eq!(terraform["tokens"], 1);
    // search_one("bot-3"): one match by totalCount.
    let (_, one) = server.call("GET", "/api/serviceaccounts/search?query=bot-3&page=1", t, None);
    assert_eq!(one["totalCount"], 1);
    assert_eq!(one["serviceAccounts"][0]["name"], "bot-3");
    // query with a space, URL-encoded as the client does.
    let (_, none) = server.call("GET", "/api/serviceaccounts/search?query=my%20sa&page=1", t, None);
    assert_eq!((none["totalCount"].as_i64(), none["serviceAccounts"].as_array().map(Vec::len)), (Some(0), Some(0)));
    // accessControl only when asked.
    let (_, with) = server.call("GET", "/api/serviceaccounts/search?accesscontrol=true", t, None);
    assert_eq!(with["serviceAccounts"][0]["accessControl"]["serviceaccounts:read"], true);
    assert!(all["serviceAccounts"][0].get("accessControl").is_none());
}

#[test]
fn search_filters_disabled_accounts_and_accounts_with_expired_tokens() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let off = fx.service.create_account(1, &new_account("off", BasicRole::Viewer)).unwrap();
    fx.service.set_account_disabled(off.id, true).unwrap();
    let stale = fx.service.create_account(1, &new_account("stale", BasicRole::Viewer)).unwrap();
    let short = ExpiryRequest { lifetime: Lifetime::Days(1), extended_max_age_days: None };
    fx.service.create_token(stale.id, &new_token("old", short)).unwrap();
    fx.clock.advance(2 * DAY);
    let token2 = {
        let admin = fx.service.find_account(1, "terraform").unwrap();
        fx.service.create_token(admin.id, &new_token("fresh", days(30))).unwrap().secret.expose().to_string()
    };
    let server = Server::start(&fx);
    let _ = token;
    let t = Some(token2.as_str());
    let names = |path: &str| -> Vec<String> {
        let (_, body) = server.call("GET", path, t, None);
        body["serviceAccounts"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names("/api/serviceaccounts/search?disabled=true"), ["off"]);
    assert_eq!(names("/api/serviceaccounts/search?expiredTokens=true"), ["stale"]);
    assert_eq!(names("/api/serviceaccounts/search?query=STA").len(), 1, "case-insensitive");
}

/// The Terraform provider: create without the slash (201 exactly), read by id, 404 after
/// delete, list from page 0 and page 1 (Grafana treats 0 as 1), the org header it always sends.
#[test]
fn terraform_provider_resources() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let org = [("X-Grafana-Org-Id", "1")];
    let ((status, created), _) =
        server.call_with("POST", "/api/serviceaccounts", t, Some(r#"{"name":"tf-sa","role":"Admin"}"#), &org);
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let ((status, read), _) = server.call_with("GET", &format!("/api/serviceaccounts/{id}"), t, None, &org);
    assert_eq!((status, read["role"].as_str(), read["isDisabled"].as_bool()), (200, Some("Admin"), Some(false)));
    // grafana_service_account_token: create with seconds_to_live, read from the list, delete.
    let ((status, issued), _) = server.call_with(
        "POST",
        &format!("/api/serviceaccounts/{id}/tokens"),
        t,
        Some(r#"{"name":"tf-token","secondsToLive":86400}"#),
        &org,
    );
    assert_eq!(status, 200);
    let token_id = issued["id"].as_i64().unwrap();
    let ((_, list), _) = server.call_with("GET", &format!("/api/serviceaccounts/{id}/tokens"), t, None, &org);
    assert!(list.as_array().unwrap().iter().any(|k| k["id"].as_i64() == Some(token_id)));
    // Paging as the lister and the name lookup do it.
    let ((_, page0), _) = server.call_with("GET", "/api/serviceaccounts/search?page=0", t, None, &org);
    let ((_, page1), _) = server.call_with("GET", "/api/serviceaccounts/search?page=1", t, None, &org);
    assert_eq!(page0["serviceAccounts"], page1["serviceAccounts"]);
    assert_eq!(page0["page"], 1);
    let ((_, page2), _) = server.call_with("GET", "/api/serviceaccounts/search?page=2", t, None, &org);
    assert_eq!(page2["serviceAccounts"], json!([]), "past the end: an empty list");
    assert_eq!(page1["totalCount"].as_u64(), Some(page1["serviceAccounts"].as_array().unwrap().len() as u64));
    // Delete, then read → 404 (removed from state), delete again → 404 (ignored by Terraform),
    // and the deleted account's tokens list is empty.
    let ((status, _), _) = server.call_with("DELETE", &format!("/api/serviceaccounts/{id}"), t, None, &org);
    assert_eq!(status, 200);
    assert_eq!(server.call("GET", &format!("/api/serviceaccounts/{id}"), t, None).0, 404);
    assert_eq!(server.call("DELETE", &format!("/api/serviceaccounts/{id}"), t, None).0, 404);
    assert_eq!(server.call("GET", &format!("/api/serviceaccounts/{id}/tokens"), t, None), (200, json!([])));
    assert_eq!(server.call("DELETE", &format!("/api/serviceaccounts/{id}/tokens/{token_id}"), t, None).0, 404);
}

#[test]
fn a_viewer_is_denied_writes_and_the_denial_names_the_permission() {
    let mut fx = Fixture::new();
    let viewer = fx.service.create_account(1, &new_account("reader", BasicRole::Viewer)).unwrap();
    let token = fx.service.create_token(viewer.id, &new_token("r", days(30))).unwrap().secret.expose().to_string();
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let (status, body) = server.call("POST", "/api/serviceaccounts", t, Some(r#"{"name":"x"}"#));
    assert_eq!(status, 403);
    assert_eq!(body["title"], "Access denied");
    assert!(body["accessErrorId"].as_str().unwrap().starts_with("ACE"));
    assert_eq!(
        body["message"],
        "You'll need additional permissions to perform this action. Permissions needed: serviceaccounts:create"
    );
    for (method, path) in [
        ("GET", "/api/serviceaccounts/search"),
        ("PATCH", &format!("/api/serviceaccounts/{}", viewer.id)[..]),
        ("DELETE", &format!("/api/serviceaccounts/{}", viewer.id)[..]),
        ("POST", &format!("/api/serviceaccounts/{}/tokens", viewer.id)[..]),
    ] {
        assert_eq!(server.call(method, path, t, Some("{}")).0, 403, "{method} {path}");
    }
    // An Editor may not make an Admin either (Grafana's rule), even with the permission.
    let mut fx2 = fx;
    fx2.service.create_role(1, "sa-writers", "", &[("serviceaccounts:create".into(), String::new())]).unwrap();
    fx2.service.assign_role(viewer.id, "sa-writers", true).unwrap();
    let (status, body) = server.call("POST", "/api/serviceaccounts", t, Some(r#"{"name":"boss","role":"Admin"}"#));
    assert_eq!((status, body["message"].as_str()), (403, Some("can not assign a role higher than user's role")));
    let (status, _) = server.call("POST", "/api/serviceaccounts", t, Some(r#"{"name":"peer","role":"Viewer"}"#));
    assert_eq!(status, 201, "a custom role grants what the basic role lacks");
}

#[test]
fn bad_other_org_revoked_expired_and_disabled_tokens_get_401() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let other = fx.service.create_org("Other").unwrap();
    let stranger = fx.service.create_account(other.id, &new_account("stranger", BasicRole::Admin)).unwrap();
    let foreign = fx.service.create_token(stranger.id, &new_token("f", days(30))).unwrap();
    let revoked = fx.service.create_token(stranger.id, &new_token("gone", days(30))).unwrap();
    fx.service.revoke_token(revoked.token.id).unwrap();
    let short = ExpiryRequest { lifetime: Lifetime::Until(T0 + 60), extended_max_age_days: None };
    let expiring = fx.service.create_token(stranger.id, &new_token("short", short)).unwrap();
    let off = fx.service.create_account(1, &new_account("off", BasicRole::Admin)).unwrap();
    let disabled = fx.service.create_token(off.id, &new_token("d", days(30))).unwrap();
    fx.service.set_account_disabled(off.id, true).unwrap();
    fx.clock.advance(120);
    let server = Server::start(&fx);
    let search = "/api/serviceaccounts/search";
    assert_eq!(server.call("GET", search, None, None), (401, json!({"message": "Unauthorized"})));
    assert_eq!(server.call("GET", search, Some("sat_nope"), None), (401, json!({"message": "Invalid API key"})));
    assert_eq!(
        server.call("GET", search, Some(revoked.secret.expose()), None),
        (401, json!({"message": "Revoked API key"}))
    );
    assert_eq!(
        server.call("GET", search, Some(expiring.secret.expose()), None),
        (401, json!({"message": "Expired API key"}))
    );
    assert_eq!(server.call("GET", search, Some(disabled.secret.expose()), None).0, 401);
    // A token of another org, with this org's header: 401; its own org works and sees only its org.
    let ((status, body), _) =
        server.call_with("GET", search, Some(foreign.secret.expose()), None, &[("X-Grafana-Org-Id", "1")]);
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("API key does not belong to the requested organization"))
    );
    let (status, body) = server.call("GET", search, Some(foreign.secret.expose()), None);
    assert_eq!((status, body["totalCount"].as_i64()), (200, Some(1)));
    // And an account of Main Org. by id from the other org: not found.
    let (status, _) = server.call("GET", "/api/serviceaccounts/1", Some(foreign.secret.expose()), None);
    assert_eq!(status, 404);
    // Basic auth with api_key works like Bearer.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("api_key:{token}"));
    let ((status, _), _) = server.call_with("GET", search, None, None, &[("Authorization", &format!("Basic {basic}"))]);
    assert_eq!(status, 200);
}

#[test]
fn hostile_requests_get_4xx_with_a_message_and_change_nothing() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let before = crate::common::db_row_counts(&fx.path);
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(70 * 1024));
    let cases: &[(&str, &str, Option<&str>, u16)] = &[
        ("POST", "/api/serviceaccounts", Some("{not json"), 400),
        ("POST", "/api/serviceaccounts", Some(r#"{"name":""}"#), 400),
        ("POST", "/api/serviceaccounts", Some(r#"{"name":"x","role":"Superuser"}"#), 400),
        ("POST", "/api/serviceaccounts", Some(r#"{"name":"evil\u001b[2J"}"#), 400),
        ("POST", "/api/serviceaccounts", Some(r#"{"name":"extsvc-fake"}"#), 400),
        ("POST", "/api/serviceaccounts", Some(r#"{"name":42}"#), 400),
        ("POST", "/api/serviceaccounts", Some(&big), 413),
        // Every route that reads a body has the limit (the layers sit on those routes only).
        ("POST", "/api/serviceaccounts/", Some(&big), 413),
        ("PATCH", "/api/serviceaccounts/1", Some(&big), 413),
        ("POST", "/api/serviceaccounts/1/tokens", Some(&big), 413),
        ("GET", "/api/serviceaccounts/999999", None, 404),
        ("GET", "/api/serviceaccounts/abc", None, 404),
        ("PATCH", "/api/serviceaccounts/999999", Some("{}"), 404),
        ("POST", "/api/serviceaccounts/1/tokens", Some(r#"{"name":"x","secondsToLive":-5}"#), 400),
        ("POST", "/api/serviceaccounts/1/tokens", Some(r#"{"secondsToLive":60}"#), 400),
        ("POST", "/api/serviceaccounts/1/tokens", Some(r#"{"name":"x","secondsToLive":9223372036854775807}"#), 400),
        ("POST", "/api/serviceaccounts/1/tokens", Some(r#"{"name":"api","secondsToLive":60}"#), 400),
        ("DELETE", "/api/serviceaccounts/1/tokens/abc", None, 400),
        ("DELETE", "/api/serviceaccounts/1/tokens/999", None, 404),
        ("PUT", "/api/serviceaccounts/1", Some("{}"), 405),
        // Every route, stateful or not, answers a wrong method with a message.
        ("POST", "/api/health", Some("{}"), 405),
        ("POST", "/api/openapi.json", Some("{}"), 405),
        ("DELETE", "/api/satui/verify", None, 405),
        ("GET", "/api/nothing", None, 404),
        ("GET", "/api/satui/verify?action=dashboards:frob", None, 400),
    ];
    for (method, path, body, want) in cases {
        let (status, answer) = server.call(method, path, t, *body);
        assert_eq!(status, *want, "{method} {path}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{method} {path}: no message: {answer}");
        assert!(!answer.to_string().contains('\u{1b}'));
    }
    let (_, duplicate) = server.call("POST", "/api/serviceaccounts", t, Some(r#"{"name":"TERRAFORM"}"#));
    assert_eq!(duplicate["message"], "service account already exists");
    assert_eq!(crate::common::db_row_counts(&fx.path), before, "a refused request wrote something");
}

#[test]
fn token_lifetimes_follow_seconds_to_live_and_the_org_cap() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let (status, never) = server.call("POST", "/api/serviceaccounts/1/tokens", t, Some(r#"{"name":"forever"}"#));
    assert_eq!(status, 200, "{never}");
    let (_, list) = server.call("GET", "/api/serviceaccounts/1/tokens", t, None);
    let forever = list.as_array().unwrap().iter().find(|k| k["name"] == "forever").unwrap();
    assert!(forever["expiration"].is_null() && forever["secondsUntilExpiration"] == 0.0);
    fx.service.set_org_cap(1, Some(30)).unwrap();
    let (status, refused) = server.call("POST", "/api/serviceaccounts/1/tokens", t, Some(r#"{"name":"nope"}"#));
    assert_eq!(status, 400);
    assert!(refused["message"].as_str().unwrap().contains("caps token lifetime at 30 days"), "{refused}");
    let over = format!(r#"{{"name":"long","secondsToLive":{}}}"#, 31 * DAY);
    assert_eq!(server.call("POST", "/api/serviceaccounts/1/tokens", t, Some(&over)).0, 400);
    let ok = format!(r#"{{"name":"month","secondsToLive":{}}}"#, 30 * DAY);
    assert_eq!(server.call("POST", "/api/serviceaccounts/1/tokens", t, Some(&ok)).0, 200);
}

#[test]
fn managed_accounts_are_refused_as_grafana_refuses_external_ones() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    fx.service.register_plugin(1, &crate::common::oncall_plugin()).unwrap();
    let managed = fx.service.find_account(1, crate::common::ONCALL_ACCOUNT).unwrap();
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let path = format!("/api/serviceaccounts/{}", managed.id);
    assert_eq!(
        server.call("PATCH", &path, t, Some(r#"{"name":"x"}"#)),
        (400, json!({"message": "external service account cannot be updated"}))
    );
    assert_eq!(
        server.call("DELETE", &path, t, None),
        (400, json!({"message": "external service account cannot be deleted"}))
    );
    assert_eq!(
        server.call("POST", &format!("{path}/tokens"), t, Some(r#"{"name":"x"}"#)),
        (400, json!({"message": "cannot add external service account token"}))
    );
    let (_, got) = server.call("GET", &path, t, None);
    assert_eq!((got["isExternal"].as_bool(), got["requiredBy"].as_str()), (Some(true), Some("grafana-oncall-app")));
}

#[test]
fn forward_auth_answers_200_with_identity_headers_401_and_403() {
    let mut fx = Fixture::new();
    let viewer = fx.service.create_account(1, &new_account("grafana reader", BasicRole::Viewer)).unwrap();
    let token = fx.service.create_token(viewer.id, &new_token("proxy", days(30))).unwrap().secret.expose().to_string();
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let ((status, body), headers) =
        server.call_with("GET", "/api/satui/verify?action=dashboards:read&scope=dashboards:uid:abc", t, None, &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["login"], "sa-1-grafana-reader");
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(header("x-satui-login").as_deref(), Some("sa-1-grafana-reader"));
    assert_eq!(header("x-satui-account").as_deref(), Some("grafana%20reader"));
    assert_eq!(header("x-satui-role").as_deref(), Some("Viewer"));
    assert_eq!(header("x-satui-org-id").as_deref(), Some("1"));
    let (status, denied) =
        server.call("GET", "/api/satui/verify?action=dashboards:delete&scope=dashboards:uid:abc", t, None);
    assert_eq!(status, 403);
    assert!(denied["message"].as_str().unwrap().ends_with("dashboards:delete"));
    assert_eq!(server.call("GET", "/api/satui/verify", Some("sat_x"), None).0, 401);
    assert_eq!(server.call("GET", "/api/satui/verify", t, None).0, 200, "no action: only the token");
    // The token's permissions, as Grafana's user/permissions answers them.
    let (status, permissions) = server.call("GET", "/api/access-control/user/permissions", t, None);
    assert_eq!(status, 200);
    assert!(permissions["dashboards:read"].as_array().unwrap().contains(&json!("dashboards:*")));
    // A use is recorded in the background: the token shows it soon.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while fx.service.token(1).unwrap().last_used_at.is_none() {
        assert!(std::time::Instant::now() < deadline, "the use was never recorded");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn only_loopback_without_tls() {
    assert!(satui::server::listen_address("127.0.0.1:3939", false).is_ok());
    assert!(satui::server::listen_address("[::1]:3939", false).is_ok());
    let open = satui::server::listen_address("0.0.0.0:3939", false).unwrap_err();
    assert!(open.to_string().contains("--tls-cert"), "{open}");
    assert!(satui::server::listen_address("0.0.0.0:3939", true).is_ok());
    assert!(satui::server::listen_address("localhost", false).is_err());
}

#[test]
fn https_serves_with_a_certificate_and_key() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
    let config = satui::server::tls_config(&cert_path, &key_path).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let pool = satui::server::open_pool(&fx.path, 2, fx.clock.clone()).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        runtime.block_on(satui::server::serve(listener, pool, Some(config), true, async {
            let _ = stopped.await;
        }))
    });
    let root = ureq::tls::Certificate::from_der(certified.cert.der()).to_owned();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[root]))
        .provider(ureq::tls::TlsProvider::Rustls)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder().tls_config(tls).http_status_as_error(false).build().into();
    let mut response = agent.get(&format!("https://localhost:{port}/api/health")).call().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.body_mut().read_to_string().unwrap().contains("\"database\":\"ok\""));
    let _ = stop.send(());
    thread.join().unwrap().unwrap();
    let _ = Arc::new(());
}

/// The real binary serving the fixture's store on a port of its own: the child, its stderr (the
/// first line, where it listens, already read) and the base URL.
fn spawn_serve(
    fx: &Fixture,
    extra: &[&str],
) -> (std::process::Child, std::io::BufReader<std::process::ChildStderr>, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_satui"))
        .args(["--db", fx.path.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let base = first.split_whitespace().find(|w| w.starts_with("http://")).expect(&first).to_string();
    (child, stderr, base)
}

/// The binary: prints where it listens, logs one line per request without any token or body,
/// and stops cleanly on SIGTERM.
#[test]
fn the_binary_logs_requests_without_secrets_and_stops_on_sigterm() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let (mut child, mut stderr, base) = spawn_serve(&fx, &[]);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let secret_body = r#"{"name":"sat_SHOULD_NOT_BE_LOGGED"}"#;
    let response = agent
        .post(&format!("{base}/api/serviceaccounts"))
        .header("Authorization", &format!("Bearer {token}"))
        .send(secret_body)
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let _ = agent
        .get(&format!("{base}/api/serviceaccounts/search?query=x"))
        .header("Authorization", &format!("Bearer {token}"))
        .call();
    // SIGTERM: a graceful stop, exit 0.
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    // tracing's text form: time, level, then the fields.
    assert!(log.contains(" INFO method=POST path=/api/serviceaccounts status=201 ms="), "{log}");
    assert!(log.contains(" INFO method=GET path=/api/serviceaccounts/search status=200 ms="), "{log}");
    assert!(log.contains(" login=sa-1-terraform\n"), "{log}");
    assert!(!log.contains(&token[4..]) && !log.contains("SHOULD_NOT_BE_LOGGED") && !log.contains("query=x"), "{log}");
}

/// Without a valid token every route under the API answers 401, before anything about the
/// path, the query or the body is judged (issue 21's extractors hold those errors back).
#[test]
fn no_or_a_bad_token_is_401_before_any_other_answer() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let server = Server::start(&fx);
    // Its last character changed (always changed: a token ending in `x` once made this the
    // valid token itself).
    let bad = crate::common::tamper(&token, token.len() - 1);
    assert_ne!(bad, token);
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("GET", "/api/serviceaccounts/abc", None),
        ("GET", "/api/serviceaccounts/999999", None),
        ("PATCH", "/api/serviceaccounts/abc", Some("[1,2]")),
        ("POST", "/api/serviceaccounts", Some("not json")),
        ("DELETE", "/api/serviceaccounts/1/tokens/abc", None),
        ("GET", "/api/satui/verify?action=bogus", None),
        ("POST", "/api/serviceaccounts/1/tokens", Some(r#"{"name":"x","secondsToLive":-1}"#)),
    ];
    for (method, path, body) in cases {
        for presented in [None, Some(bad.as_str())] {
            let (status, answer) = server.call(method, path, presented, *body);
            assert_eq!(status, 401, "{method} {path} with {presented:?}: {answer}");
        }
    }
    // With the token the same requests get their own answers.
    assert_eq!(server.call("GET", "/api/serviceaccounts/abc", Some(&token), None).0, 404);
    assert_eq!(server.call("GET", "/api/satui/verify?action=bogus", Some(&token), None).0, 400);
}

/// A JSON body must be an object: an array, a string or a number is never read by position.
#[test]
fn a_body_that_is_not_a_json_object_is_bad_request_data_and_changes_nothing() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let target = fx.account("target");
    let server = Server::start(&fx);
    let path = format!("/api/serviceaccounts/{}", target.id);
    for body in [r#"["renamed","Admin",true]"#, r#""renamed""#, "42", "null", "true"] {
        let (status, answer) = server.call("PATCH", &path, Some(&token), Some(body));
        assert_eq!((status, answer["message"].as_str()), (400, Some("Bad request data")), "{body}");
    }
    let after = fx.service.account(target.id).unwrap();
    assert_eq!((after.name.as_str(), after.role, after.disabled), ("target", BasicRole::Viewer, false));
    // An empty body is `{}`, as Grafana binds it.
    assert_eq!(server.call("PATCH", &path, Some(&token), Some("")).0, 200);
}

/// `--log-format json`: one JSON object per line, in tracing's JSON shape (the values under
/// `fields`).
#[test]
fn the_access_log_can_be_json_lines() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let (mut child, mut stderr, base) = spawn_serve(&fx, &["--log-format", "json"]);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let _ = agent.get(&format!("{base}/api/satui/verify")).header("Authorization", &format!("Bearer {token}")).call();
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
    let mut log = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    let events: Vec<Value> = log.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let access = events.iter().find(|e| e["fields"]["path"] == "/api/satui/verify").expect(&log);
    let fields = &access["fields"];
    assert_eq!(
        (&fields["method"], &fields["status"], &fields["login"]),
        (&json!("GET"), &json!(200), &json!("sa-1-terraform"))
    );
    assert!(fields["ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{access}");
    assert_eq!(access["level"], "INFO");
    assert!(access["timestamp"].as_str().is_some_and(|t| t.ends_with('Z') && t.len() == 27), "{access}");
    assert!(!log.contains(&token[4..]));
}

/// Access lines are batched but reach stderr while the server runs (within the flush interval,
/// not only at the end), in the order the requests were answered.
#[test]
fn access_lines_reach_stderr_while_the_server_runs() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let (mut child, stderr, base) = spawn_serve(&fx, &[]);
    let lines = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(stderr).map_while(Result::ok) {
            if lines.0.send(line).is_err() {
                break;
            }
        }
    });
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    for path in ["/api/satui/verify", "/api/health", "/no/such/path"] {
        let _ = agent.get(&format!("{base}{path}")).header("Authorization", &format!("Bearer {token}")).call();
    }
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let line = lines.1.recv_timeout(std::time::Duration::from_secs(2)).expect("an access line within 2 s");
        seen.push(line.split(" path=").nth(1).and_then(|rest| rest.split(' ').next()).unwrap_or_default().to_string());
    }
    assert_eq!(seen, ["/api/satui/verify", "/api/health", "/no/such/path"]);
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
}

/// The verification cache keeps the org's cap with each token; a cap set by another process
/// (here the CLI) bounds the next extension once a second has passed, as a revocation would.
#[test]
fn an_org_cap_set_while_a_token_is_cached_bounds_its_next_extension() {
    let mut fx = Fixture::new();
    let account = fx.account("sliding");
    let issued = fx.token(account.id, "extended", crate::common::extended(7, 7));
    let secret = issued.secret.expose().to_string();
    let server = Server::start(&fx);
    let verify = |server: &Server| {
        let (status, body) = server.call("GET", "/api/satui/verify", Some(&secret), None);
        assert_eq!(status, 200, "{body}");
        body["expires_at"].as_str().unwrap().to_string()
    };
    assert_eq!(verify(&server), satui::domain::time::rfc3339(T0 + 7 * DAY), "cached, its first use recorded");
    crate::common::cli_ok(&fx.path, &["org", "set-cap", "Main Org.", "10"]);
    std::thread::sleep(std::time::Duration::from_secs(1));
    // Five days on, a use slides the expiry: now + 7 days would be day 12; the cap says day 10.
    fx.clock.advance(5 * DAY);
    verify(&server);
    assert_eq!(verify(&server), satui::domain::time::rfc3339(T0 + 10 * DAY), "the extension stops at the new cap");
}

/// A body that stops arriving gets 408 within the body timeout (10 s) and changes nothing, on
/// each kind of route that reads a body; the connection is not held for ever.
#[test]
fn a_stalled_body_gets_408_and_changes_nothing() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let server = Server::start(&fx);
    let before = crate::common::db_row_counts(&fx.path);
    let address = server.base.trim_start_matches("http://").to_string();
    let stalls: Vec<_> = ["POST /api/serviceaccounts", "PATCH /api/serviceaccounts/1", "POST /api/serviceaccounts/1/tokens"]
        .into_iter()
        .map(|request| {
            let (address, token) = (address.clone(), token.clone());
            std::thread::spawn(move || {
                let mut raw = std::net::TcpStream::connect(&address).unwrap();
                raw.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
                let head = format!(
                    "{request} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":"
                );
                std::io::Write::write_all(&mut raw, head.as_bytes()).unwrap();
                let started = std::time::Instant::now();
                let mut answer = String::new();
                let _ = std::io::Read::read_to_string(&mut raw, &mut answer);
                (request, started.elapsed(), answer)
            })
        })
        .collect();
    for stall in stalls {
        let (request, waited, answer) = stall.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{request}: {answer}");
        assert!(answer.contains("\"message\""), "{request}: {answer}");
        assert!(waited < std::time::Duration::from_secs(15), "{request} waited {waited:?}");
    }
    assert_eq!(crate::common::db_row_counts(&fx.path), before);
}
