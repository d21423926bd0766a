/*
 * The C API exercised from C: load, compile, eval for every decision, NULL
 * arguments, corrupted tables, borrowed-pointer lifetimes and threads.
 *
 * Usage: api_test POLICY.corspolicy POLICY.cors PRIVATE_NETWORK.corspolicy
 * (the source and the table compiled from it; tests/it/c_api.rs passes
 * examples/api.corspolicy; then the same policy with the legacy
 * `private-network on`, tests/fixtures/private_network.corspolicy). Built
 * with -Wall -Wextra -Werror and run directly and under valgrind by
 * tests/it/c_api.rs.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "cors.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                   \
            failures++;                                                       \
        }                                                                     \
    } while (0)

#define CHECK_RESULT(expr, expected)                                          \
    do {                                                                      \
        cors_result got_ = (expr);                                            \
        if (got_ != (expected)) {                                             \
            fprintf(stderr, "%s:%d: %s returned %u (%s), expected %s\n",      \
                    __FILE__, __LINE__, #expr, (unsigned)got_,                \
                    cors_result_str(got_), #expected);                        \
            failures++;                                                       \
        }                                                                     \
    } while (0)

struct buffer {
    uint8_t *data;
    size_t len;
};

static struct buffer read_file(const char *path) {
    struct buffer buffer = {NULL, 0};
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    size_t capacity = 4096;
    buffer.data = malloc(capacity);
    size_t got;
    while (buffer.data != NULL &&
           (got = fread(buffer.data + buffer.len, 1, capacity - buffer.len, file)) > 0) {
        buffer.len += got;
        if (buffer.len == capacity) {
            capacity *= 2;
            buffer.data = realloc(buffer.data, capacity);
        }
    }
    fclose(file);
    if (buffer.data == NULL) {
        fprintf(stderr, "out of memory reading %s\n", path);
        exit(2);
    }
    return buffer;
}

static cors_bytes text(const char *value) {
    cors_bytes bytes = {(const uint8_t *)value, strlen(value)};
    return bytes;
}

static const cors_bytes absent = {NULL, 0};

static cors_request request(const char *method, const char *path, const char *origin) {
    cors_request req;
    memset(&req, 0, sizeof req);
    req.method = text(method);
    req.path = text(path);
    req.origin = origin != NULL ? text(origin) : absent;
    req.request_method = absent;
    req.request_headers = absent;
    req.private_network = false;
    return req;
}

static cors_request preflight(const char *path, const char *origin, const char *method,
                              const char *headers) {
    cors_request req = request("OPTIONS", path, origin);
    req.request_method = text(method);
    req.request_headers = headers != NULL ? text(headers) : absent;
    return req;
}

static int bytes_equal(cors_bytes bytes, const char *expected) {
    size_t len = strlen(expected);
    return bytes.ptr != NULL && bytes.len == len && memcmp(bytes.ptr, expected, len) == 0;
}

/* The value of the named header in the outcome, or a NULL cors_bytes. */
static cors_bytes header(const cors_outcome *outcome, const char *name) {
    for (size_t i = 0; i < outcome->header_count; i++) {
        if (bytes_equal(outcome->headers[i].name, name)) {
            return outcome->headers[i].value;
        }
    }
    return absent;
}

static cors_outcome eval_ok(const cors_policy *policy, const cors_request *req) {
    cors_outcome outcome;
    memset(&outcome, 0xAB, sizeof outcome);
    CHECK_RESULT(cors_eval(policy, req, &outcome), CORS_RESULT_OK);
    CHECK(outcome.header_count <= CORS_MAX_HEADERS);
    return outcome;
}

static void test_names(void) {
    CHECK(strcmp(cors_version(), "0.1.0") == 0);
    CHECK(cors_table_format_version() == 4);
    CHECK(cors_table_format_version() == CORS_TABLE_FORMAT_VERSION);
    CHECK(strcmp(cors_result_str(CORS_RESULT_OK), "success") == 0);
    CHECK(strstr(cors_result_str(CORS_RESULT_TABLE_CHECKSUM_MISMATCH), "corrupted") != NULL);
    CHECK(strcmp(cors_result_str(12345), "unknown cors_result") == 0);
    CHECK(strcmp(cors_decision_str(CORS_DECISION_PREFLIGHT_ALLOWED), "preflight-allowed") == 0);
    CHECK(strcmp(cors_decision_str(CORS_DECISION_PASS), "pass") == 0);
    CHECK(strcmp(cors_decision_str(99), "unknown") == 0);
    CHECK(strcmp(cors_reason_str(CORS_REASON_ORIGIN_NOT_ALLOWED), "origin-not-allowed") == 0);
    CHECK(strcmp(cors_reason_str(CORS_REASON_NONE), "") == 0);
    CHECK(strcmp(cors_reason_str(0xFFFFFFFFu), "unknown") == 0);
}

/* Every decision and the reasons, against the example policy. */
static void test_decisions(const cors_policy *policy) {
    cors_request req;
    cors_outcome outcome;

    req = preflight("/api/users", "https://app.example.com", "PUT", "content-type,authorization");
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_ALLOWED);
    CHECK(outcome.reason == CORS_REASON_NONE);
    CHECK(outcome.status == 204);
    CHECK(bytes_equal(outcome.policy, "api"));
    CHECK(bytes_equal(header(&outcome, "access-control-allow-origin"), "https://app.example.com"));
    CHECK(bytes_equal(header(&outcome, "access-control-allow-credentials"), "true"));
    CHECK(bytes_equal(header(&outcome, "access-control-allow-methods"), "GET, POST, PUT, DELETE"));
    CHECK(bytes_equal(header(&outcome, "access-control-allow-headers"),
                      "content-type, authorization, x-requested-with"));
    CHECK(bytes_equal(header(&outcome, "access-control-max-age"), "600"));
    CHECK(bytes_equal(header(&outcome, "vary"),
                      "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
    for (size_t i = 0; i < outcome.header_count; i++) {
        cors_bytes name = outcome.headers[i].name;
        CHECK(name.ptr != NULL && name.len > 0);
        for (size_t j = 0; j < name.len; j++) {
            CHECK(name.ptr[j] == '-' || (name.ptr[j] >= 'a' && name.ptr[j] <= 'z'));
        }
    }

    req = preflight("/api/users", "https://app.example.com", "PATCH", NULL);
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_DENIED);
    CHECK(outcome.reason == CORS_REASON_METHOD_NOT_ALLOWED);
    CHECK(outcome.status == 403);
    CHECK(header(&outcome, "access-control-allow-origin").ptr == NULL);

    req = preflight("/api/users", "https://app.example.com", "PUT", "x-secret");
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_DENIED);
    CHECK(outcome.reason == CORS_REASON_HEADER_NOT_ALLOWED);

    req = preflight("/api/users", "https://app.example.com", "PUT", "bad header");
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_DENIED);
    CHECK(outcome.reason == CORS_REASON_MALFORMED_REQUEST);

    req = preflight("/static/app.js", "https://app.example.com", "GET", NULL);
    req.private_network = true;
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_DENIED);
    CHECK(outcome.reason == CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED);
    CHECK(bytes_equal(outcome.policy, "assets"));

    /* The example has no `private-network on` (test_private_network has). */
    req = preflight("/api/users", "https://app.example.com", "PUT", NULL);
    req.private_network = true;
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_DENIED);
    CHECK(outcome.reason == CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED);
    CHECK(bytes_equal(outcome.policy, "api"));
    CHECK(header(&outcome, "access-control-allow-private-network").ptr == NULL);

    req = request("GET", "/api/users?page=2", "https://eu.app.example.com");
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_ACTUAL_ALLOWED);
    CHECK(outcome.status == 0);
    CHECK(bytes_equal(header(&outcome, "access-control-allow-origin"), "https://eu.app.example.com"));
    CHECK(bytes_equal(header(&outcome, "access-control-expose-headers"), "x-request-id"));
    CHECK(bytes_equal(header(&outcome, "vary"), "Origin"));

    req = request("GET", "/api/users", "https://example.com.evil.net");
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_ACTUAL_DENIED);
    CHECK(outcome.reason == CORS_REASON_ORIGIN_NOT_ALLOWED);
    CHECK(header(&outcome, "access-control-allow-origin").ptr == NULL);
    CHECK(bytes_equal(header(&outcome, "vary"), "Origin"));

    req = request("GET", "/api/users", NULL);
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PASS);
    CHECK(outcome.reason == CORS_REASON_NOT_CORS);
    CHECK(bytes_equal(header(&outcome, "vary"), "Origin"));

    req = request("GET", "/elsewhere", "https://app.example.com");
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PASS);
    CHECK(outcome.reason == CORS_REASON_NO_POLICY);
    CHECK(outcome.policy.ptr == NULL);
    CHECK(outcome.header_count == 0);

    /* Embedded NUL: the origin is the 24 bytes given, not a C string. */
    static const char nul_origin[] = "https://app.example.com\0.evil.net";
    req = request("GET", "/api/users", NULL);
    req.origin.ptr = (const uint8_t *)nul_origin;
    req.origin.len = sizeof nul_origin - 1;
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_ACTUAL_DENIED);
    CHECK(outcome.reason == CORS_REASON_MALFORMED_ORIGIN);

    /* Present but empty is not absent. */
    req = request("GET", "/api/users", "");
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_ACTUAL_DENIED);
    CHECK(outcome.reason == CORS_REASON_MALFORMED_ORIGIN);

    /* Invalid UTF-8 and a huge value are evaluated, not trusted. */
    static const char latin1[] = "https://caf\xe9.example.com";
    req = request("GET", "/api/users", latin1);
    outcome = eval_ok(policy, &req);
    CHECK(outcome.reason == CORS_REASON_MALFORMED_ORIGIN);
    size_t huge_len = 1u << 20;
    char *huge = malloc(huge_len);
    CHECK(huge != NULL);
    if (huge != NULL) {
        memset(huge, 'a', huge_len);
        memcpy(huge, "https://", 8);
        req = request("GET", "/api/users", NULL);
        req.origin.ptr = (const uint8_t *)huge;
        req.origin.len = huge_len;
        outcome = eval_ok(policy, &req);
        CHECK(outcome.reason == CORS_REASON_MALFORMED_ORIGIN);
        free(huge);
    }
}

/*
 * The rule of the README's "API conventions": a required pointer that is
 * NULL is CORS_RESULT_NULL_ARGUMENT; a (pointer, length) pair with a NULL
 * pointer and a non-zero length is CORS_RESULT_INVALID_ARGUMENT; when both
 * apply, NULL_ARGUMENT. In a cors_request, a NULL field of length 0 is an
 * absent header. Out-parameters stay untouched on every error.
 */
static void test_null_arguments(const cors_policy *policy, struct buffer table) {
    cors_request req = request("GET", "/api/users", "https://app.example.com");
    cors_outcome outcome;
    memset(&outcome, 0x5A, sizeof outcome);
    cors_outcome untouched = outcome;

    CHECK_RESULT(cors_eval(NULL, &req, &outcome), CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_eval(policy, NULL, &outcome), CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_eval(policy, &req, NULL), CORS_RESULT_NULL_ARGUMENT);
    /* Each field of the request, NULL with a non-zero length. */
    cors_request pre = preflight("/api/users", "https://app.example.com", "PUT", "x-a");
    cors_bytes *fields[] = {&pre.method, &pre.path, &pre.origin, &pre.request_method,
                            &pre.request_headers};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        cors_bytes saved = *fields[i];
        fields[i]->ptr = NULL;
        fields[i]->len = 5;
        CHECK_RESULT(cors_eval(policy, &pre, &outcome), CORS_RESULT_INVALID_ARGUMENT);
        CHECK_RESULT(cors_eval(NULL, &pre, &outcome), CORS_RESULT_NULL_ARGUMENT);
        *fields[i] = saved;
    }
    req.request_headers.len = SIZE_MAX;
    req.request_headers.ptr = (const uint8_t *)"x";
    CHECK_RESULT(cors_eval(policy, &req, &outcome), CORS_RESULT_INVALID_ARGUMENT);
    CHECK(memcmp(&outcome, &untouched, sizeof outcome) == 0);
    /* NULL with length 0: an absent header (an empty method or path). */
    req = request("GET", "/api/users", NULL);
    CHECK_RESULT(cors_eval(policy, &req, &outcome), CORS_RESULT_OK);
    CHECK(outcome.reason == CORS_REASON_NOT_CORS);
    req.method = absent;
    req.path = absent;
    CHECK_RESULT(cors_eval(policy, &req, &outcome), CORS_RESULT_OK);

    cors_policy *loaded = (cors_policy *)&untouched;
    CHECK_RESULT(cors_policy_load(NULL, table.len, &loaded), CORS_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(cors_policy_load(NULL, 0, &loaded), CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_policy_load(table.data, table.len, NULL), CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_policy_load(NULL, table.len, NULL), CORS_RESULT_NULL_ARGUMENT);
    CHECK(loaded == (cors_policy *)&untouched);

    cors_diagnostics *diags = (cors_diagnostics *)&untouched;
    CHECK_RESULT(cors_policy_compile(NULL, 3, "x", &loaded, &diags),
                 CORS_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(cors_policy_compile(NULL, 0, "x", &loaded, &diags), CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_policy_compile("abc", 3, "x", NULL, &diags), CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_policy_compile(NULL, 3, "x", NULL, &diags), CORS_RESULT_NULL_ARGUMENT);
    CHECK(loaded == (cors_policy *)&untouched);
    CHECK(diags == (cors_diagnostics *)&untouched);

    cors_policy_view view;
    const cors_policy *viewed = policy;
    CHECK_RESULT(cors_policy_view_init(NULL, table.data, table.len, &viewed),
                 CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_policy_view_init(&view, NULL, table.len, &viewed),
                 CORS_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(cors_policy_view_init(&view, NULL, 0, &viewed), CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_policy_view_init(&view, table.data, table.len, NULL),
                 CORS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(cors_policy_view_init(NULL, NULL, table.len, &viewed),
                 CORS_RESULT_NULL_ARGUMENT);
    CHECK(viewed == policy);

    /* Freeing and reading NULL is harmless. */
    cors_policy_free(NULL);
    cors_diagnostics_free(NULL);
    CHECK(cors_diagnostics_text(NULL) == NULL);
    CHECK(cors_diagnostics_rendered(NULL) == NULL);
    CHECK(cors_diagnostics_error_count(NULL) == 0);
    CHECK(cors_diagnostics_warning_count(NULL) == 0);
    CHECK(cors_policy_count(NULL) == 0);
}

static void expect_rejected(const uint8_t *data, size_t len, cors_result expected) {
    cors_policy *sentinel = (cors_policy *)&failures;
    cors_policy *loaded = sentinel;
    CHECK_RESULT(cors_policy_load(data, len, &loaded), expected);
    CHECK(loaded == sentinel);
    cors_policy_view view;
    const cors_policy *viewed = sentinel;
    CHECK_RESULT(cors_policy_view_init(&view, data, len, &viewed), expected);
    CHECK(viewed == sentinel);
}

static void test_corrupted_tables(struct buffer table) {
    uint8_t *copy = malloc(table.len);
    CHECK(copy != NULL);
    if (copy == NULL) {
        return;
    }
    /* Every table starts with the magic the header names. */
    CHECK(table.len >= CORS_TABLE_MAGIC_LEN);
    CHECK(memcmp(table.data, CORS_TABLE_MAGIC, CORS_TABLE_MAGIC_LEN) == 0);
    expect_rejected(table.data, 0, CORS_RESULT_TABLE_TRUNCATED);
    expect_rejected(table.data, 10, CORS_RESULT_TABLE_TRUNCATED);
    expect_rejected(table.data, table.len - 1, CORS_RESULT_TABLE_LENGTH_MISMATCH);

    memcpy(copy, table.data, table.len);
    copy[0] = 'X';
    expect_rejected(copy, table.len, CORS_RESULT_TABLE_BAD_MAGIC);

    /* The version is the u32 after the 8-byte magic and 4-byte endianness marker. */
    memcpy(copy, table.data, table.len);
    copy[12] = 99;
    expect_rejected(copy, table.len, CORS_RESULT_TABLE_UNSUPPORTED_VERSION);

    /* A flipped bit anywhere past the header is caught by the checksum. */
    for (size_t at = 64; at < table.len; at += 7) {
        memcpy(copy, table.data, table.len);
        copy[at] ^= 0x10;
        cors_policy *loaded = NULL;
        cors_result result = cors_policy_load(copy, table.len, &loaded);
        CHECK(result == CORS_RESULT_TABLE_CHECKSUM_MISMATCH);
        if (result == CORS_RESULT_OK) {
            cors_policy_free(loaded);
        }
    }

    const char *source = "policy a { origins https://a.example; }";
    expect_rejected((const uint8_t *)source, strlen(source), CORS_RESULT_TABLE_BAD_MAGIC);
    free(copy);
}

/* The policy owns a copy of its table, and outcome values other than the
 * reflected origin borrow from the policy, not the request. */
static void test_lifetimes(struct buffer table) {
    uint8_t *scratch = malloc(table.len);
    CHECK(scratch != NULL);
    if (scratch == NULL) {
        return;
    }
    memcpy(scratch, table.data, table.len);
    cors_policy *policy = NULL;
    CHECK_RESULT(cors_policy_load(scratch, table.len, &policy), CORS_RESULT_OK);
    memset(scratch, 0xEE, table.len);
    free(scratch);
    if (policy == NULL) {
        return;
    }

    char *origin = strdup("https://app.example.com");
    char *method = strdup("OPTIONS");
    char *path = strdup("/api/users");
    char *request_method = strdup("DELETE");
    CHECK(origin != NULL && method != NULL && path != NULL && request_method != NULL);
    cors_request req = preflight("/", "x", "x", NULL);
    req.origin = text(origin);
    req.method = text(method);
    req.path = text(path);
    req.request_method = text(request_method);
    cors_outcome outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_ALLOWED);
    cors_bytes allow_origin = header(&outcome, "access-control-allow-origin");
    CHECK(allow_origin.ptr >= (const uint8_t *)origin &&
          allow_origin.ptr < (const uint8_t *)origin + strlen(origin));
    free(origin);
    free(method);
    free(path);
    free(request_method);
    /* valgrind reports these reads if they touched the freed request. */
    CHECK(bytes_equal(outcome.policy, "api"));
    CHECK(bytes_equal(header(&outcome, "access-control-allow-methods"), "GET, POST, PUT, DELETE"));
    CHECK(bytes_equal(header(&outcome, "access-control-max-age"), "600"));
    cors_policy_free(policy);
}

static void test_view(struct buffer table) {
    static cors_policy_view storage;
    const cors_policy *policy = NULL;
    CHECK_RESULT(cors_policy_view_init(&storage, table.data, table.len, &policy), CORS_RESULT_OK);
    CHECK(policy != NULL);
    if (policy == NULL) {
        return;
    }
    cors_request req = request("GET", "/v2/items", "http://localhost:5173");
    cors_outcome outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_ACTUAL_ALLOWED);
    /* The view reads the caller's table in place. */
    CHECK(outcome.policy.ptr >= table.data && outcome.policy.ptr < table.data + table.len);
    /* Freeing a view is a documented no-op (valgrind would flag a bad free). */
    cors_policy_free((cors_policy *)policy);
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_ACTUAL_ALLOWED);
}

static void test_compile(struct buffer source) {
    cors_policy *policy = NULL;
    cors_diagnostics *diags = NULL;
    CHECK_RESULT(cors_policy_compile((const char *)source.data, source.len, "api.corspolicy",
                                     &policy, &diags),
                 CORS_RESULT_OK);
    CHECK(policy != NULL);
    CHECK(diags != NULL);
    CHECK(cors_diagnostics_error_count(diags) == 0);
    CHECK(cors_diagnostics_warning_count(diags) == 0);
    cors_diagnostics_free(diags);
    if (policy != NULL) {
        cors_request req =
            preflight("/api/users", "https://app.example.com", "PUT", "content-type,authorization");
        cors_outcome outcome = eval_ok(policy, &req);
        CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_ALLOWED);
        CHECK(outcome.status == 204);
        cors_policy_free(policy);
    }

    /* A warning compiles; diags is optional. */
    const char *warned = "policy a {\n  origins https://a.example;\n  max-age 3h;\n}\n";
    policy = NULL;
    diags = NULL;
    CHECK_RESULT(cors_policy_compile(warned, strlen(warned), NULL, &policy, &diags),
                 CORS_RESULT_OK);
    CHECK(cors_diagnostics_error_count(diags) == 0);
    CHECK(cors_diagnostics_warning_count(diags) == 1);
    CHECK(strstr(cors_diagnostics_text(diags), "<policy>:3:") != NULL);
    CHECK(strstr(cors_diagnostics_text(diags), ": warning[CORS") != NULL);
    cors_diagnostics_free(diags);
    cors_policy_free(policy);
    policy = NULL;
    CHECK_RESULT(cors_policy_compile(warned, strlen(warned), NULL, &policy, NULL), CORS_RESULT_OK);
    cors_policy_free(policy);

    /* Errors: nothing compiled, every error reported with its position. */
    const char *bad = "policy a {\n  origins https://x.com;\n  methods get;\n  bogus 1;\n}\n";
    cors_policy *sentinel = (cors_policy *)&failures;
    policy = sentinel;
    diags = NULL;
    CHECK_RESULT(cors_policy_compile(bad, strlen(bad), "bad.corspolicy", &policy, &diags),
                 CORS_RESULT_COMPILE_ERROR);
    CHECK(policy == sentinel);
    CHECK(diags != NULL);
    CHECK(cors_diagnostics_error_count(diags) == 2);
    const char *short_text = cors_diagnostics_text(diags);
    CHECK(strstr(short_text, "bad.corspolicy:3:11: error[CORS0051]: method `get`") != NULL);
    CHECK(strstr(short_text, "bad.corspolicy:4:3: error[CORS0010]: unknown directive `bogus`") !=
          NULL);
    const char *rendered = cors_diagnostics_rendered(diags);
    CHECK(strstr(rendered, "--> bad.corspolicy:3:11") != NULL);
    CHECK(strstr(rendered, "= help: write `GET`") != NULL);
    CHECK(strstr(rendered, "^^^") != NULL);
    cors_diagnostics_free(diags);

    /* Not UTF-8: a clear error, not a crash. */
    const char not_utf8[] = "policy a { origins https://\xff.example; }";
    diags = NULL;
    policy = sentinel;
    CHECK_RESULT(cors_policy_compile(not_utf8, sizeof not_utf8 - 1, "latin1.corspolicy", &policy,
                                     &diags),
                 CORS_RESULT_SOURCE_NOT_UTF8);
    CHECK(policy == sentinel);
    CHECK(strstr(cors_diagnostics_text(diags), "latin1.corspolicy: error: ") != NULL);
    CHECK(strstr(cors_diagnostics_text(diags), "offset 27") != NULL);
    cors_diagnostics_free(diags);

    /* NUL bytes inside the source are reported, and the text is not cut short. */
    const char with_nul[] = "policy a {\n  origins https://a.example;\0\n  bogus;\n}\n";
    diags = NULL;
    CHECK_RESULT(cors_policy_compile(with_nul, sizeof with_nul - 1, "nul.corspolicy", &policy,
                                     &diags),
                 CORS_RESULT_COMPILE_ERROR);
    CHECK(cors_diagnostics_error_count(diags) >= 1);
    CHECK(strstr(cors_diagnostics_text(diags),
                 "nul.corspolicy:2:29: error[CORS0010]: unknown directive `\\0`") != NULL);
    cors_diagnostics_free(diags);
}

/* The legacy `private-network on` (compiled from source, with its warning):
 * the header, and the Vary on the request header, when asked and allowed. */
static void test_private_network(struct buffer source) {
    cors_policy *policy = NULL;
    cors_diagnostics *diags = NULL;
    CHECK_RESULT(cors_policy_compile((const char *)source.data, source.len,
                                     "private_network.corspolicy", &policy, &diags),
                 CORS_RESULT_OK);
    CHECK(cors_diagnostics_error_count(diags) == 0);
    CHECK(cors_diagnostics_warning_count(diags) == 1);
    CHECK(strstr(cors_diagnostics_text(diags), "warning[CORS0075]") != NULL);
    cors_diagnostics_free(diags);
    if (policy == NULL) {
        return;
    }
    const char *vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
                       "Access-Control-Request-Private-Network";

    cors_request req = preflight("/api/users", "https://app.example.com", "PUT", NULL);
    req.private_network = true;
    cors_outcome outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_ALLOWED);
    CHECK(outcome.status == 204);
    CHECK(bytes_equal(header(&outcome, "access-control-allow-private-network"), "true"));
    CHECK(bytes_equal(header(&outcome, "vary"), vary));

    /* Not asked: no header, but the answer still varies on the request header. */
    req.private_network = false;
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_ALLOWED);
    CHECK(header(&outcome, "access-control-allow-private-network").ptr == NULL);
    CHECK(bytes_equal(header(&outcome, "vary"), vary));

    /* The assets policy still does not allow it. */
    req = preflight("/static/app.js", "https://app.example.com", "GET", NULL);
    req.private_network = true;
    outcome = eval_ok(policy, &req);
    CHECK(outcome.decision == CORS_DECISION_PREFLIGHT_DENIED);
    CHECK(outcome.reason == CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED);
    cors_policy_free(policy);
}

struct worker {
    const cors_policy *policy;
    int mismatches;
};

static void *evaluate_many(void *arg) {
    struct worker *worker = arg;
    for (int i = 0; i < 2000; i++) {
        cors_request req = i % 2 == 0
                               ? preflight("/api/x", "https://a.b.example.com", "DELETE", "authorization")
                               : request("POST", "/api/x", "https://evilexample.com");
        cors_outcome outcome;
        if (cors_eval(worker->policy, &req, &outcome) != CORS_RESULT_OK) {
            worker->mismatches++;
            continue;
        }
        cors_decision expected =
            i % 2 == 0 ? CORS_DECISION_PREFLIGHT_ALLOWED : CORS_DECISION_ACTUAL_DENIED;
        if (outcome.decision != expected) {
            worker->mismatches++;
        }
    }
    return NULL;
}

static void test_threads(const cors_policy *policy) {
    enum { THREADS = 4 };
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i].policy = policy;
        workers[i].mismatches = 0;
        CHECK(pthread_create(&threads[i], NULL, evaluate_many, &workers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(workers[i].mismatches == 0);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s POLICY.corspolicy POLICY.cors PRIVATE_NETWORK.corspolicy\n",
                argv[0]);
        return 2;
    }
    struct buffer source = read_file(argv[1]);
    struct buffer table = read_file(argv[2]);
    struct buffer private_network = read_file(argv[3]);

    test_names();
    cors_policy *policy = NULL;
    CHECK_RESULT(cors_policy_load(table.data, table.len, &policy), CORS_RESULT_OK);
    if (policy == NULL) {
        fprintf(stderr, "cannot load %s; stopping\n", argv[2]);
        return 1;
    }
    test_decisions(policy);
    test_null_arguments(policy, table);
    test_threads(policy);
    cors_policy_free(policy);
    test_corrupted_tables(table);
    test_lifetimes(table);
    test_view(table);
    test_compile(source);
    test_private_network(private_network);

    free(source.data);
    free(table.data);
    free(private_network.data);
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("api_test: all checks passed\n");
    return 0;
}
