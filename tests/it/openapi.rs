//! The OpenAPI description of satui's API (generated from the code with utoipa): checked into
//! docs/openapi.json, served at /api/openapi.json, a subset of Grafana's service-account API,
//! and the contract a round of property-based requests holds the server to (no 5xx; every 2xx
//! answer matches its schema; every 4xx carries a message).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::common::Fixture;
use crate::server::{Server, admin_token};

fn checked_in() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json")
}

#[test]
fn the_checked_in_document_is_the_one_the_code_generates() {
    let generated = satui::server::openapi_document();
    let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
    if std::env::var_os("SATUI_UPDATE_DOCS").is_some() {
        std::fs::write(checked_in(), &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(checked_in()).unwrap_or_default();
    assert!(on_disk == text, "docs/openapi.json is stale: SATUI_UPDATE_DOCS=1 cargo test --test it openapi");
    // And the server serves the same document, without a token.
    let fx = Fixture::new();
    let server = Server::start(&fx);
    let (status, served) = server.call("GET", "/api/openapi.json", None, None);
    assert_eq!((status, served), (200, generated));
}

/// (method, path) of an operation.
type Operations = BTreeSet<(&'static str, &'static str)>;
/// satui's schema name → the fields of the Grafana model it stands for.
type Models = BTreeMap<&'static str, BTreeSet<&'static str>>;

/// Grafana's service-account API as its OpenAPI description publishes it (paths, methods and
/// the fields of each body), written out by hand from Grafana's documentation and models.
fn grafana() -> (Operations, Models) {
    let operations = BTreeSet::from([
        ("get", "/api/serviceaccounts/search"),
        ("post", "/api/serviceaccounts"),
        ("get", "/api/serviceaccounts/{id}"),
        ("patch", "/api/serviceaccounts/{id}"),
        ("delete", "/api/serviceaccounts/{id}"),
        ("get", "/api/serviceaccounts/{id}/tokens"),
        ("post", "/api/serviceaccounts/{id}/tokens"),
        ("delete", "/api/serviceaccounts/{id}/tokens/{tokenId}"),
        ("get", "/api/access-control/user/permissions"),
        ("get", "/api/health"),
    ]);
    let fields = |names: &[&'static str]| names.iter().copied().collect::<BTreeSet<_>>();
    // satui's schema name → the fields of the Grafana model it stands for.
    let schemas = BTreeMap::from([
        (
            "AccountItem",
            fields(&[
                "id",
                "uid",
                "name",
                "login",
                "orgId",
                "isDisabled",
                "isExternal",
                "role",
                "tokens",
                "avatarUrl",
                "accessControl",
            ]),
        ),
        (
            "AccountProfile",
            fields(&[
                "id",
                "uid",
                "name",
                "login",
                "orgId",
                "isDisabled",
                "createdAt",
                "updatedAt",
                "avatarUrl",
                "role",
                "teams",
                "isExternal",
                "requiredBy",
                "tokens",
                "accessControl",
            ]),
        ),
        ("SearchResult", fields(&["totalCount", "serviceAccounts", "page", "perPage"])),
        (
            "TokenItem",
            fields(&[
                "id",
                "name",
                "created",
                "lastUsedAt",
                "expiration",
                "secondsUntilExpiration",
                "hasExpired",
                "isRevoked",
            ]),
        ),
        ("CreateAccountForm", fields(&["name", "role", "isDisabled"])),
        ("UpdateAccountForm", fields(&["name", "serviceAccountId", "role", "isDisabled"])),
        ("CreateTokenForm", fields(&["name", "secondsToLive"])),
        ("NewTokenResult", fields(&["id", "name", "key"])),
        ("UpdatedAccount", fields(&["id", "message", "name", "serviceaccount"])),
        ("Message", fields(&["message"])),
        ("ErrorBody", fields(&["message", "accessErrorId", "title"])),
        ("Health", fields(&["database", "version", "commit"])),
    ]);
    (operations, schemas)
}

#[test]
fn the_service_account_part_is_a_subset_of_grafanas() {
    let doc = satui::server::openapi_document();
    let (operations, schemas) = grafana();
    let mut ours = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ours.insert((method.clone(), path.clone()));
        }
    }
    assert!(ours.len() >= 10, "the document lists the API: {ours:?}");
    for (method, path) in &ours {
        if path.starts_with("/api/satui/") {
            continue; // satui's own: forward auth
        }
        assert!(operations.contains(&(method.as_str(), path.as_str())), "{method} {path} is not Grafana's");
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if name == "VerifiedIdentity" {
            continue; // the answer of /api/satui/verify, satui's own
        }
        let grafana = schemas.get(name.as_str()).unwrap_or_else(|| panic!("{name}: no Grafana model stands for it"));
        for field in schema["properties"].as_object().unwrap().keys() {
            assert!(grafana.contains(field.as_str()), "{name}.{field} is not a field of Grafana's model");
        }
    }
}

/// A validator for the schema `name` of the document (its `$ref`s resolved within it).
fn validator(doc: &Value, reference: &Value) -> jsonschema::Validator {
    let mut root = json!({ "components": doc["components"].clone() });
    for (key, value) in reference.as_object().unwrap() {
        root[key] = value.clone();
    }
    jsonschema::validator_for(&root).expect("a schema of the document compiles")
}

/// Operations with their path filled in, their body schema (if any) and their answers' schemas.
struct Operation {
    method: String,
    path: String,
    body: Option<Value>,
    responses: BTreeMap<u16, Value>,
}

fn operations(doc: &Value, account: i64, token: i64) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let path = path.replace("{id}", &account.to_string()).replace("{tokenId}", &token.to_string());
            let body = op["requestBody"]["content"]["application/json"]["schema"].as_object().map(|s| json!(s));
            let responses = op["responses"]
                .as_object()
                .unwrap()
                .iter()
                .filter_map(|(code, r)| Some((code.parse().ok()?, r["content"]["application/json"]["schema"].clone())))
                .collect();
            out.push(Operation { method: method.to_uppercase(), path, body, responses });
        }
    }
    out
}

/// A JSON value that is sometimes of the right shape for a body and often not.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1_000_000i64..100_000_000).prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        prop_oneof![Just("Viewer"), Just("Editor"), Just("Admin"), Just("None"), Just("EDITOR"), Just("")]
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("role".to_string()),
                    Just("isDisabled".to_string()),
                    Just("secondsToLive".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn property_based_requests_from_the_document_never_get_a_5xx_and_answers_match_their_schemas() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let target = fx.account("target");
    let kept = fx.token(target.id, "kept", crate::common::days(7)).token.id;
    let server = Server::start(&fx);
    let doc = satui::server::openapi_document();
    let ops = operations(&doc, target.id, kept);
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases, ..ProptestConfig::default() });
    let strategy = (0..ops.len(), any_json(), prop_oneof![Just(None), Just(Some(-1i64)), Just(Some(999_999))]);
    runner
        .run(&strategy, |(index, body, other_id)| {
            let op = &ops[index];
            let path = match other_id {
                Some(id) => op.path.replace(&format!("/{}", target.id), &format!("/{id}")),
                None => op.path.clone(),
            };
            let body_text = op.body.as_ref().map(|_| body.to_string());
            let (status, answer) = server.call(&op.method, &path, Some(&token), body_text.as_deref());
            prop_assert!(status < 500, "{} {path} {body_text:?}: {status} {answer}", op.method);
            if (400..500).contains(&status) {
                prop_assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{status}: {answer}");
            }
            if let Some(schema) = op.responses.get(&status).filter(|s| !s.is_null()) {
                let errors: Vec<String> = validator(&doc, schema).iter_errors(&answer).map(|e| e.to_string()).collect();
                prop_assert!(errors.is_empty(), "{} {path}: {status} {answer} does not match: {errors:?}", op.method);
            }
            Ok(())
        })
        .unwrap();
}
