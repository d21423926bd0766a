//! Unit tests of the comparison, on models checked from source text.

use super::*;

fn model(source: &str) -> PolicySet {
    let checked = crate::check(source);
    match checked.model {
        Some(model) => model,
        None => panic!(
            "{}",
            checked
                .diagnostics
                .render("test.corspolicy", source, crate::RenderStyle::Short)
        ),
    }
}

fn between(old: &str, new: &str) -> Diff {
    diff(&model(old), &model(new))
}

/// The changes of the one policy that changed.
fn changes(diff: &Diff) -> &[Change] {
    assert!(diff.routes.is_empty(), "{diff:#?}");
    assert_eq!(diff.policies.len(), 1, "{diff:#?}");
    &diff.policies[0].changes
}

const API: &str = "policy api {
    paths /api/;
    origins https://app.example.com https://*.a.example.com http://localhost:3000;
    methods GET PUT;
    allow-headers Content-Type;
    expose-headers X-Request-Id;
    max-age 600;
}
policy assets { paths /static/; origins *; methods GET; }
";

fn origin(direction: Direction, pattern: &str, example: Option<&str>) -> Change {
    Change::Origin {
        direction,
        pattern: pattern.to_string(),
        exact: example.is_none(),
        example: example.map(str::to_string),
    }
}

#[test]
fn a_file_does_not_differ_from_itself() {
    let diff = between(API, API);
    assert!(diff.is_empty(), "{diff:#?}");
    assert_eq!(diff.verdict(), Verdict::Unchanged);
}

#[test]
fn order_case_and_layout_make_no_difference() {
    let reordered = "# the same, written differently
policy assets {
  methods GET;
  origins *;
  paths /static/;
}
policy api {
  max-age 10m;
  expose-headers x-request-id;
  allow-headers content-type content-type;
  methods PUT GET HEAD POST;
  origins http://localhost:3000
          https://*.a.example.com
          https://app.example.com https://app.example.com;
  paths /api/;
}
";
    let diff = between(API, reordered);
    assert!(diff.is_empty(), "{diff:#?}");
}

#[test]
fn a_widened_wildcard_comes_with_the_origin_it_newly_admits() {
    let new = API.replace("https://*.a.example.com", "https://*.example.com");
    let diff = between(API, &new);
    assert_eq!(
        changes(&diff),
        [origin(
            Direction::Widened,
            "https://*.example.com",
            Some("https://a.example.com")
        )]
    );
    assert_eq!(diff.verdict(), Verdict::Widened);
    // Back again: the narrowing has the same example, and `app` (covered by
    // the wider wildcard before) is still listed exactly.
    let back = between(&new, API);
    assert_eq!(
        changes(&back),
        [origin(
            Direction::Narrowed,
            "https://*.example.com",
            Some("https://a.example.com")
        )]
    );
    assert_eq!(back.verdict(), Verdict::Changed);
}

#[test]
fn exact_origins_are_set_differences() {
    let new = API.replace("https://app.example.com", "https://admin.example.com");
    assert_eq!(
        changes(&between(API, &new)),
        [
            origin(Direction::Widened, "https://admin.example.com", None),
            origin(Direction::Narrowed, "https://app.example.com", None),
        ]
    );
    // An exact origin now covered by a wildcard is no change.
    let covered = API.replace("https://app.example.com", "https://x.a.example.com");
    let diff = between(&covered, &API.replace("https://app.example.com ", ""));
    assert!(diff.is_empty(), "{diff:#?}");
}

#[test]
fn different_spellings_of_the_same_origins_are_equal() {
    let listed = "policy p { origins https://a.x.com https://b.x.com http://localhost:*; }";
    let regex = r#"policy p { origins ~"^https://(a|b)\.x\.com$" ~"^http://localhost(:[1-9][0-9]{0,3})?$" http://localhost:*; }"#;
    // Equal but for one origin the regex admits and `:*` does not: the
    // default port, which a browser never writes but eval would allow.
    assert_eq!(
        changes(&between(listed, regex)),
        [origin(
            Direction::Widened,
            r#"~"^http://localhost(:[1-9][0-9]{0,3})?$""#,
            Some("http://localhost:80")
        )]
    );
    let regex = r#"policy p { origins http://localhost:* ~"^https://(b|a)\.x\.com$"; }"#;
    let diff = between(listed, regex);
    assert!(diff.is_empty(), "{diff:#?}");
    let wider = r#"policy p { origins ~"^https://[a-c]\.x\.com$" http://localhost:*; }"#;
    assert_eq!(
        changes(&between(listed, wider)),
        [
            origin(
                Direction::Widened,
                r#"~"^https://[a-c]\.x\.com$""#,
                Some("https://c.x.com")
            ),
            // Each old exact origin is still admitted.
        ]
    );
}

#[test]
fn a_port_wildcard_admits_the_default_port_first() {
    let new = API.replace("http://localhost:3000", "http://localhost:*");
    assert_eq!(
        changes(&between(API, &new)),
        [origin(
            Direction::Widened,
            "http://localhost:*",
            Some("http://localhost")
        )]
    );
}

#[test]
fn any_origin_is_reported_as_such() {
    let old = "policy p { origins https://a.com; }";
    let new = "policy p { origins *; }";
    assert_eq!(
        changes(&between(old, new)),
        [Change::AnyOrigin {
            direction: Direction::Widened
        }]
    );
    assert_eq!(
        changes(&between(new, old)),
        [Change::AnyOrigin {
            direction: Direction::Narrowed
        }]
    );
}

#[test]
fn safelisted_methods_are_always_allowed() {
    let new = API.replace("methods GET PUT;", "methods PUT DELETE patch;");
    assert_eq!(
        changes(&between(API, &new)),
        [
            Change::Method {
                direction: Direction::Widened,
                method: "DELETE".to_string()
            },
            Change::Method {
                direction: Direction::Widened,
                method: "patch".to_string()
            },
        ]
    );
    let removed = API.replace("methods GET PUT;", "methods POST;");
    assert_eq!(
        changes(&between(API, &removed)),
        [Change::Method {
            direction: Direction::Narrowed,
            method: "PUT".to_string()
        }]
    );
}

#[test]
fn a_header_wildcard_never_covers_authorization() {
    let star = API.replace("allow-headers Content-Type;", "allow-headers *;");
    assert_eq!(
        changes(&between(API, &star)),
        [Change::AllowHeader {
            direction: Direction::Widened,
            name: "*".to_string()
        }]
    );
    let with_authorization = API.replace(
        "allow-headers Content-Type;",
        "allow-headers Authorization content-type;",
    );
    // `*` covered content-type but not authorization.
    assert_eq!(
        changes(&between(&star, &with_authorization)),
        [
            Change::AllowHeader {
                direction: Direction::Widened,
                name: "authorization".to_string()
            },
            Change::AllowHeader {
                direction: Direction::Narrowed,
                name: "*".to_string()
            },
        ]
    );
    let exposed = API.replace("expose-headers X-Request-Id;", "expose-headers *;");
    assert_eq!(
        changes(&between(API, &exposed)),
        [Change::ExposeHeader {
            direction: Direction::Widened,
            name: "*".to_string()
        }]
    );
    assert_eq!(
        changes(&between(&exposed, API)),
        [Change::ExposeHeader {
            direction: Direction::Narrowed,
            name: "*".to_string()
        }]
    );
}

#[test]
fn flags_and_neutral_settings() {
    let new = API.replace(
        "max-age 600;",
        "max-age 60; credentials on; private-network on; preflight-status 200;",
    );
    let diff = between(API, &new);
    assert_eq!(
        changes(&diff),
        [
            Change::Credentials {
                direction: Direction::Widened
            },
            Change::PrivateNetwork {
                direction: Direction::Widened
            },
            Change::MaxAge {
                old: Some(600),
                new: Some(60)
            },
            Change::PreflightStatus { old: 204, new: 200 },
        ]
    );
    let neutral = between(API, &API.replace("max-age 600;", "max-age 2h;"));
    assert_eq!(neutral.verdict(), Verdict::Changed);
    assert!(!neutral.narrowed());
    let narrowed = between(&new, API);
    assert_eq!(
        narrowed.narrowed_max_ages(),
        [("api".to_string(), Some(60))]
    );
}

#[test]
fn a_path_moved_to_another_policy_changes_what_its_requests_get() {
    let old = "policy api { paths /api/ /admin/; origins https://app.example.com; methods PUT; }";
    let new = "policy api { paths /api/; origins https://app.example.com; methods PUT; }
policy admin { paths /admin/; origins https://admin.example.com; credentials on; }";
    let diff = between(old, new);
    assert_eq!(diff.policies.len(), 2, "{diff:#?}");
    assert_eq!(diff.policies[0].paths_removed, ["/admin/"]);
    assert!(diff.policies[0].changes.is_empty());
    assert_eq!(diff.policies[1].status, PolicyStatus::Added);
    assert_eq!(
        diff.routes,
        [RouteChange {
            regions: vec![Region::Prefix("/admin/".to_string())],
            old_policy: Some("api".to_string()),
            new_policy: Some("admin".to_string()),
            changes: vec![
                origin(Direction::Widened, "https://admin.example.com", None),
                origin(Direction::Narrowed, "https://app.example.com", None),
                Change::Method {
                    direction: Direction::Narrowed,
                    method: "PUT".to_string()
                },
                Change::Credentials {
                    direction: Direction::Widened
                },
            ],
            old_max_age: None,
        }]
    );
    assert_eq!(diff.verdict(), Verdict::Widened);
    assert_eq!(diff.narrowed_max_ages(), [("api".to_string(), None)]);
}

#[test]
fn a_longer_prefix_takes_paths_from_a_shorter_one() {
    let old = "policy api { paths /api/; origins https://a.com; }";
    let new = "policy api { paths /api/; origins https://a.com; }
policy users { paths /api/users; origins https://a.com https://b.com; }";
    let diff = between(old, new);
    assert_eq!(diff.routes.len(), 1, "{diff:#?}");
    assert_eq!(
        diff.routes[0].regions,
        [Region::Prefix("/api/users".to_string())]
    );
    assert_eq!(
        diff.routes[0].changes,
        [origin(Direction::Widened, "https://b.com", None)]
    );
}

#[test]
fn a_rename_is_found_by_its_paths() {
    let old = "policy v1 { paths /api/; origins https://a.com; }";
    let new = "policy api { paths /api/; origins https://a.com; }";
    let diff = between(old, new);
    assert!(diff.routes.is_empty(), "{diff:#?}");
    assert_eq!(
        diff.policies,
        [PolicyDiff {
            name: "api".to_string(),
            status: PolicyStatus::Renamed {
                from: "v1".to_string()
            },
            paths_added: vec![],
            paths_removed: vec![],
            changes: vec![],
            old_max_age: None,
        }]
    );
    assert_eq!(diff.verdict(), Verdict::Changed);
}

#[test]
fn added_and_removed_policies_route_their_paths() {
    let old = "policy api { paths /api/; origins https://a.com; }";
    let new = "policy api { paths /api/; origins https://a.com; }
policy rest { origins https://b.com; }";
    let diff = between(old, new);
    assert_eq!(diff.policies[0].status, PolicyStatus::Added);
    assert_eq!(diff.routes[0].regions, [Region::Other]);
    assert_eq!(diff.routes[0].old_policy, None);
    assert_eq!(diff.verdict(), Verdict::Widened);
    let back = between(new, old);
    assert_eq!(back.policies[0].status, PolicyStatus::Removed);
    assert_eq!(
        back.routes[0].changes,
        [origin(Direction::Narrowed, "https://b.com", None)]
    );
    assert_eq!(back.verdict(), Verdict::Changed);
}

/// A regex whose automaton explodes forwards (it must remember the last
/// 13 letters) but not backwards is compared backwards.
#[test]
fn origins_too_large_forwards_are_compared_backwards() {
    let regex = OriginPattern::Regex(r"^https://[a-z]*a[a-z]{12}\.example\.com$".to_string());
    let wildcard = model("policy p { origins https://*.example.com; }");
    let Origins::List(wildcard) = &wildcard.policies[0].origins else {
        panic!("a list")
    };
    let old = [regex.clone()];
    let new = [regex, wildcard[0].clone()];
    let budget = 50_000;
    assert!(origins::language(
        &old,
        origins::Reading::Forwards,
        &mut Spending::with_automaton_work(budget)
    )
    .is_err());
    let changes = pattern_changes(&old, &new, &mut Spending::with_automaton_work(budget))
        .expect("compared backwards");
    assert_eq!(
        changes,
        [origin(
            Direction::Widened,
            "https://*.example.com",
            Some("https://a.example.com")
        )]
    );
    // Too small both ways: not compared, counted as widened.
    assert!(pattern_changes(&old, &new, &mut Spending::with_automaton_work(10)).is_err());
}
