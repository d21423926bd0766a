/*
 * eval: a tiny C host for corsc. Loads a policy (a `.corspolicy` source,
 * compiled in-process, or a table from `corsc compile`), evaluates one
 * request given on the command line and prints the answer.
 *
 *   eval POLICY --method M --path P [--origin O] [--request-method M]
 *        [--request-headers LIST] [--private-network]
 *
 * Exit status: 0 when the request was evaluated, 1 when the policy cannot be
 * loaded (its diagnostics are printed), 2 on a usage or I/O error.
 * Build instructions: README.md, "The C API".
 */
#include "cors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int usage(const char *program) {
    fprintf(stderr,
            "usage: %s POLICY --method M --path P [--origin O] [--request-method M]\n"
            "       [--request-headers LIST] [--private-network]\n",
            program);
    return 2;
}

static cors_bytes text(const char *value) {
    cors_bytes bytes = {(const uint8_t *)value, strlen(value)};
    return bytes;
}

/* Reads a whole file; NULL (with a message) when it cannot. */
static uint8_t *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        perror(path);
        return NULL;
    }
    size_t capacity = 1 << 16, used = 0, got;
    uint8_t *data = malloc(capacity);
    while (data != NULL && (got = fread(data + used, 1, capacity - used, file)) > 0) {
        used += got;
        if (used == capacity) {
            uint8_t *bigger = realloc(data, capacity * 2);
            if (bigger == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            capacity *= 2;
        }
    }
    int failed = ferror(file);
    fclose(file);
    if (data == NULL || failed) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(data);
        return NULL;
    }
    *len = used;
    return data;
}

/* Loads a table or compiles a source; NULL (diagnostics printed) on failure. */
static cors_policy *open_policy(const char *path) {
    size_t len = 0;
    uint8_t *data = read_file(path, &len);
    if (data == NULL) {
        return NULL;
    }
    cors_policy *policy = NULL;
    cors_result result;
    if (len >= CORS_TABLE_MAGIC_LEN && memcmp(data, CORS_TABLE_MAGIC, CORS_TABLE_MAGIC_LEN) == 0) {
        result = cors_policy_load(data, len, &policy);
        if (result != CORS_RESULT_OK) {
            fprintf(stderr, "%s: %s\n", path, cors_result_str(result));
        }
    } else {
        cors_diagnostics *diags = NULL;
        result = cors_policy_compile((const char *)data, len, path, &policy, &diags);
        /* Warnings on success, errors on failure: shown like `corsc check`. */
        fputs(cors_diagnostics_rendered(diags) != NULL ? cors_diagnostics_rendered(diags) : "",
              stderr);
        if (result != CORS_RESULT_OK) {
            fprintf(stderr, "%s: %s\n", path, cors_result_str(result));
        }
        cors_diagnostics_free(diags);
    }
    free(data); /* the policy owns a copy */
    return result == CORS_RESULT_OK ? policy : NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        return usage(argv[0]);
    }
    const char *absent = NULL;
    const char *method = absent, *path = absent, *origin = absent;
    const char *request_method = absent, *request_headers = absent;
    bool private_network = false;
    for (int i = 2; i < argc; i++) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--method") == 0) slot = &method;
        else if (strcmp(argv[i], "--path") == 0) slot = &path;
        else if (strcmp(argv[i], "--origin") == 0) slot = &origin;
        else if (strcmp(argv[i], "--request-method") == 0) slot = &request_method;
        else if (strcmp(argv[i], "--request-headers") == 0) slot = &request_headers;
        else if (strcmp(argv[i], "--private-network") == 0) {
            private_network = true;
            continue;
        } else {
            fprintf(stderr, "unknown argument: %s\n", argv[i]);
            return usage(argv[0]);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "%s needs a value\n", argv[i]);
            return usage(argv[0]);
        }
        *slot = argv[++i];
    }
    if (method == NULL || path == NULL) {
        return usage(argv[0]);
    }

    cors_policy *policy = open_policy(argv[1]);
    if (policy == NULL) {
        return 1;
    }

    /* Absent headers stay {NULL, 0}; present ones point at the argument. */
    cors_request request = {0};
    request.method = text(method);
    request.path = text(path);
    if (origin != NULL) request.origin = text(origin);
    if (request_method != NULL) request.request_method = text(request_method);
    if (request_headers != NULL) request.request_headers = text(request_headers);
    request.private_network = private_network;

    cors_outcome outcome;
    cors_result result = cors_eval(policy, &request, &outcome);
    if (result != CORS_RESULT_OK) {
        fprintf(stderr, "eval: %s\n", cors_result_str(result));
        cors_policy_free(policy);
        return 2;
    }
    /* The outcome borrows from the policy and the request: print it before
     * freeing either. */
    printf("decision: %s\n", cors_decision_str(outcome.decision));
    if (outcome.reason != CORS_REASON_NONE) {
        printf("reason: %s\n", cors_reason_str(outcome.reason));
    }
    if (outcome.policy.ptr != NULL) {
        printf("policy: %.*s\n", (int)outcome.policy.len, (const char *)outcome.policy.ptr);
    }
    if (outcome.status != 0) {
        printf("status: %u\n", (unsigned)outcome.status);
    }
    for (size_t i = 0; i < outcome.header_count; i++) {
        const cors_header *header = &outcome.headers[i];
        printf("%.*s: %.*s\n", (int)header->name.len, (const char *)header->name.ptr,
               (int)header->value.len, (const char *)header->value.ptr);
    }
    cors_policy_free(policy);
    return 0;
}
