//! `GET /metrics` (issue 25): the Prometheus text format, parsed here line by line; requests by
//! route and status, token checks by outcome, cache hits, the token census by org and state with
//! end-time series, no secret anywhere, and who may scrape (this machine without a token, any
//! other address with a `serviceaccounts:read` token). `promtool check metrics` and
//! `promtool check rules` run on the output and the shipped alert rules when promtool is present.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use satui::domain::role::BasicRole;

use crate::common::{DAY, Fixture, T0, days, new_account};
use crate::server::Server;

/// One sample: the metric name, its labels, its value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The text format 0.0.4, strictly: `# HELP`/`# TYPE` comments, then `name{label="value",...} v`
/// with `\\`, `\"` and `\n` the only escapes in a label value.
fn parse(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        assert!(!line.starts_with('#'), "an unknown comment: {line}");
        let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("no value: {line}"));
        let name = &line[..name_end];
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') && name.starts_with("satui_"),
            "a bad metric name: {line}"
        );
        let mut rest = &line[name_end..];
        let mut labels = BTreeMap::new();
        if let Some(inner) = rest.strip_prefix('{') {
            let mut chars = inner.char_indices();
            let mut key = String::new();
            let end = loop {
                let (i, c) = chars.next().unwrap_or_else(|| panic!("unclosed labels: {line}"));
                match c {
                    '}' => break i,
                    ',' => {}
                    '=' => {
                        assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
                        let mut value = String::new();
                        loop {
                            match chars.next().unwrap_or_else(|| panic!("unclosed value: {line}")).1 {
                                '"' => break,
                                '\\' => match chars.next().unwrap().1 {
                                    '\\' => value.push('\\'),
                                    '"' => value.push('"'),
                                    'n' => value.push('\n'),
                                    other => panic!("a bad escape \\{other}: {line}"),
                                },
                                c => value.push(c),
                            }
                        }
                        labels.insert(std::mem::take(&mut key), value);
                    }
                    c => key.push(c),
                }
            };
            rest = &inner[end + 1..];
        }
        let value = rest.trim().parse::<f64>().unwrap_or_else(|_| panic!("a bad value: {line}"));
        samples.push(Sample { name: name.to_string(), labels, value });
    }
    samples
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
        .map(|s| s.value)
}

fn scrape(server: &Server, token: Option<&str>) -> (u16, String, String) {
    let ((status, body), headers) = server.call_with("GET", "/metrics", token, None, &[]);
    let content_type = headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.clone()).unwrap_or_default();
    (status, body.as_str().map(str::to_string).unwrap_or_else(|| body.to_string()), content_type)
}

#[test]
fn metrics_count_requests_outcomes_and_tokens_without_a_secret() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let admin = fx.service.create_account(org, &new_account("admin", BasicRole::Admin)).unwrap();
    let admin_token = fx.token(admin.id, "api", days(90)).secret.expose().to_string();
    // A name a label must escape: a quote and a backslash.
    let odd = fx.account("deploy \"blue\\green\"");
    let soon = fx.token(odd.id, "ends-in-3-days", days(3));
    let soon_secret = soon.secret.expose().to_string();
    let revoked = fx.token(odd.id, "revoked", days(30));
    fx.service.revoke_token(revoked.token.id).unwrap();
    let revoked_secret = revoked.secret.expose().to_string();
    let server = Server::start(&fx);

    for _ in 0..3 {
        assert_eq!(server.call("GET", "/api/satui/verify", Some(&soon_secret), None).0, 200);
    }
    assert_eq!(server.call("GET", "/api/satui/verify", Some(&revoked_secret), None).0, 401);
    assert_eq!(server.call("GET", "/api/satui/verify", Some("sat_not_a_token"), None).0, 401);
    let viewer_asks = "/api/satui/verify?action=serviceaccounts:write";
    assert_eq!(server.call("GET", viewer_asks, Some(&soon_secret), None).0, 403);
    assert_eq!(server.call("GET", "/api/serviceaccounts/search", Some(&admin_token), None).0, 200);
    assert_eq!(server.call("GET", "/api/serviceaccounts/12345", Some(&admin_token), None).0, 404);
    // A made-up method is any client's to send; it must not make a series of its own.
    let address = server.base.trim_start_matches("http://");
    let mut raw = std::net::TcpStream::connect(address).unwrap();
    std::io::Write::write_all(&mut raw, b"BREW /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut raw, &mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");

    // The census is read when the server starts; wait for it.
    let started = Instant::now();
    let (status, text, content_type) = loop {
        let scraped = scrape(&server, None);
        if scraped.1.contains("satui_tokens{") || started.elapsed() > Duration::from_secs(5) {
            break scraped;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status, 200, "loopback needs no token: {text}");
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let samples = parse(&text);

    let requests = |route: &str, status: &str| {
        value(&samples, "satui_http_requests_total", &[("route", route), ("status", status)])
    };
    assert_eq!(requests("/api/satui/verify", "200"), Some(3.0));
    assert_eq!(requests("/api/satui/verify", "401"), Some(2.0));
    assert_eq!(requests("/api/satui/verify", "403"), Some(1.0));
    // The route's pattern, never the path with its id.
    assert_eq!(requests("/api/serviceaccounts/{id}", "404"), Some(1.0));
    assert!(samples.iter().all(|s| !s.labels.get("route").is_some_and(|r| r.contains("12345"))));
    let outcome = |o: &str| value(&samples, "satui_verifications_total", &[("outcome", o)]);
    assert_eq!(
        outcome("ok"),
        Some(5.0),
        "three verifications, a search and a read (its 404 comes after the token check)"
    );
    assert_eq!(outcome("revoked"), Some(1.0));
    assert_eq!(outcome("invalid"), Some(1.0));
    assert_eq!(outcome("forbidden"), Some(1.0));
    assert!(value(&samples, "satui_verify_cache_hits_total", &[]).is_some_and(|n| n >= 3.0), "{text}");
    assert!(value(&samples, "satui_verify_cache_misses_total", &[]).is_some_and(|n| n >= 2.0));
    assert!(
        value(&samples, "satui_http_request_duration_seconds_count", &[("route", "/api/satui/verify")]) == Some(6.0)
    );
    // One cumulative bucket per bound, the last `+Inf` holding every request.
    let buckets: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.name == "satui_http_request_duration_seconds_bucket")
        .filter(|s| s.labels.get("route").is_some_and(|r| r == "/api/satui/verify"))
        .collect();
    assert_eq!(buckets.len(), 17, "{text}");
    assert_eq!((buckets[16].labels["le"].as_str(), buckets[16].value), ("+Inf", 6.0));
    assert!(buckets.windows(2).all(|w| w[0].value <= w[1].value), "{text}");
    let methods: Vec<&str> = samples
        .iter()
        .filter(|s| s.name == "satui_http_requests_total" && s.labels.get("route").is_some_and(|r| r == "/api/health"))
        .map(|s| s.labels["method"].as_str())
        .collect();
    assert_eq!(methods, ["other"], "{text}");
    assert_eq!(value(&samples, "satui_store_up", &[]), Some(1.0));

    let tokens = |state: &str| value(&samples, "satui_tokens", &[("org", "Main Org."), ("state", state)]);
    assert_eq!(tokens("live"), Some(2.0));
    assert_eq!(tokens("revoked"), Some(1.0));
    assert_eq!(tokens("expiring_7d"), Some(1.0));
    assert_eq!(tokens("expiring_1d"), Some(0.0));
    assert_eq!(tokens("expired"), Some(0.0));
    let ends = value(
        &samples,
        "satui_token_end_timestamp_seconds",
        &[("org", "Main Org."), ("account", "deploy \"blue\\green\""), ("token", "ends-in-3-days")],
    );
    assert_eq!(ends, Some((T0 + 3 * DAY) as f64), "{text}");
    assert_eq!(
        samples.iter().filter(|s| s.name == "satui_token_end_timestamp_seconds").count(),
        1,
        "only tokens ending within 30 days: {text}"
    );
    for secret in [&admin_token, &soon_secret, &revoked_secret] {
        assert!(!text.contains(secret.as_str()), "a secret in /metrics");
        assert!(!text.contains(&secret[secret.len() - 6..]), "a token's hint in /metrics");
    }
    promtool(&["check", "metrics"], Some(&text));
}

/// The address a packet to another host would leave from, when it is not a loopback one.
fn address_seen_as_remote() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // No packet is sent: connecting a UDP socket only picks the route and the local address.
    socket.connect("192.0.2.254:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn metrics_from_another_address_need_a_token_that_may_read_service_accounts() {
    let Some(ip) = address_seen_as_remote() else {
        println!("skipped: this machine has no address but loopback to scrape /metrics from");
        return;
    };
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let admin = fx.service.create_account(org, &new_account("admin", BasicRole::Admin)).unwrap();
    let admin_token = fx.token(admin.id, "api", days(90)).secret.expose().to_string();
    let nobody = fx.service.create_account(org, &new_account("nobody", BasicRole::None)).unwrap();
    let nobody_token = fx.token(nobody.id, "api", days(90)).secret.expose().to_string();
    // May read one account only: not the org's census.
    let one = fx.service.create_account(org, &new_account("reads-one", BasicRole::None)).unwrap();
    fx.service
        .create_role(
            org,
            "one-reader",
            "",
            &[("serviceaccounts:read".into(), format!("serviceaccounts:id:{}", admin.id))],
        )
        .unwrap();
    fx.service.assign_role(one.id, "one-reader", true).unwrap();
    let one_token = fx.token(one.id, "api", days(90)).secret.expose().to_string();
    // Another org with a token ending soon: its names never reach Main Org.'s scraper.
    let other = fx.service.create_org("Hidden Org").unwrap().id;
    let secret_account = fx.account_in(other, "secret-project");
    fx.token(secret_account.id, "launch-key", days(3));
    let listener = std::net::TcpListener::bind((ip, 0)).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = Server::start_on(&fx, listener, base);
    assert_eq!(scrape(&server, None).0, 401, "no token from another address");
    assert_eq!(scrape(&server, Some(&nobody_token)).0, 403, "a token without serviceaccounts:read");
    assert_eq!(scrape(&server, Some(&one_token)).0, 403, "a grant on one account is not every account");
    let started = Instant::now();
    let text = loop {
        let (status, text, _) = scrape(&server, Some(&admin_token));
        assert_eq!(status, 200);
        if text.contains("satui_tokens{") || started.elapsed() > Duration::from_secs(5) {
            break text;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(text.contains("satui_http_requests_total") && text.contains("org=\"Main Org.\""), "{text}");
    assert!(!text.contains("Hidden Org") && !text.contains("secret-project") && !text.contains("launch-key"), "{text}");
}

#[test]
fn the_shipped_alert_rules_pass_promtool() {
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/prometheus/satui-alerts.yml");
    let text = std::fs::read_to_string(rules).unwrap();
    for metric in [
        "satui_token_end_timestamp_seconds",
        "satui_verifications_total",
        "satui_token_end_series_left_out",
        "satui_store_up",
    ] {
        assert!(text.contains(metric), "the rules use {metric}");
    }
    promtool(&["check", "rules", rules], None);
}

/// Runs promtool when it is installed (Debian's `prometheus` package), else says it skipped.
fn promtool(args: &[&str], stdin: Option<&str>) {
    use std::io::Write;
    let Ok(mut child) = std::process::Command::new("promtool")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        println!("skipped `promtool {}`: promtool is not installed", args.join(" "));
        return;
    };
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every query of the shipped Grafana dashboard names only series a scrape holds, and parses as
/// PromQL (promtool, wrapping each query in a recording rule, when promtool is installed).
#[test]
fn the_shipped_dashboard_queries_only_metrics_satui_serves() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/grafana/satui-dashboard.json");
    let dashboard: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let queries: Vec<String> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().unwrap().iter().map(|t| t["expr"].as_str().unwrap().to_string()))
        .collect();
    assert!(queries.len() >= 10, "{queries:?}");

    let mut fx = Fixture::new();
    let account = fx.account("ci");
    let secret = fx.token(account.id, "soon", days(3)).secret.expose().to_string();
    let server = Server::start(&fx);
    assert_eq!(server.call("GET", "/api/satui/verify", Some(&secret), None).0, 200);
    assert_eq!(server.call("GET", "/api/satui/verify", Some(&secret), None).0, 200);
    let started = Instant::now();
    let text = loop {
        let text = scrape(&server, None).1;
        if text.contains("satui_tokens{") || started.elapsed() > Duration::from_secs(5) {
            break text;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let served: std::collections::BTreeSet<String> = parse(&text).into_iter().map(|s| s.name).collect();
    for query in &queries {
        let mut rest = query.as_str();
        while let Some(at) = rest.find("satui_") {
            let name: String =
                rest[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
            assert!(served.contains(&name), "the dashboard asks for {name}, which /metrics does not serve");
            rest = &rest[at + name.len()..];
        }
    }

    let rules: String = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let q = q.replace("$__rate_interval", "5m").replace("$instance", ".*");
            format!("      - record: dashboard:query{i}\n        expr: {}\n", serde_json::to_string(&q).unwrap())
        })
        .collect();
    let file = fx.dir.path().join("dashboard-queries.yml");
    std::fs::write(&file, format!("groups:\n  - name: dashboard\n    rules:\n{rules}")).unwrap();
    promtool(&["check", "rules", file.to_str().unwrap()], None);
}
