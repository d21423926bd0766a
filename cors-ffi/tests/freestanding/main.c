/*
 * Firmware-style use of the C API with no heap and no C library: the table
 * is a `const` array (as `corsc compile --emit c` writes it, so it lands in
 * flash/.rodata), the policy lives in a static `cors_policy_view`, and the
 * program is linked with -nostdlib -static: if the library needed malloc,
 * free or anything else from libc, it would not link.
 *
 * x86_64 Linux only (raw syscalls); scripts/check-freestanding builds and
 * runs it. Exit status 0 means every check passed, N the first failed check.
 */
#define CORS_NO_HEAP
#include "cors.h"

extern const uint8_t api_table[];
extern const size_t api_table_len;

/* What a freestanding toolchain's runtime would supply: one copy for both
 * freestanding checks, in cors-match-core/tests/freestanding/mem.c, which
 * scripts/check-freestanding-c links in. */
void *memcpy(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

static long syscall3(long number, long a, long b, long c) {
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return result;
}

static size_t length(const char *text) {
    size_t n = 0;
    while (text[n]) n++;
    return n;
}

static void say(const char *text) { syscall3(1 /* write */, 1, (long)text, (long)length(text)); }

static cors_bytes text(const char *value) {
    cors_bytes bytes = {(const uint8_t *)value, length(value)};
    return bytes;
}

static int equals(cors_bytes bytes, const char *expected) {
    size_t n = length(expected);
    return bytes.ptr != 0 && bytes.len == n && memcmp(bytes.ptr, expected, n) == 0;
}

static cors_bytes header(const cors_outcome *outcome, const char *name) {
    cors_bytes none = {0, 0};
    for (size_t i = 0; i < outcome->header_count; i++) {
        if (equals(outcome->headers[i].name, name)) return outcome->headers[i].value;
    }
    return none;
}

static cors_policy_view storage;

int freestanding_main(void) {
    const cors_policy *policy = 0;
    if (cors_policy_view_init(&storage, api_table, api_table_len, &policy) != CORS_RESULT_OK) return 1;

    cors_request preflight = {0};
    preflight.method = text("OPTIONS");
    preflight.path = text("/api/users");
    preflight.origin = text("https://app.example.com");
    preflight.request_method = text("PUT");
    preflight.request_headers = text("content-type,authorization");
    cors_outcome outcome;
    if (cors_eval(policy, &preflight, &outcome) != CORS_RESULT_OK) return 2;
    if (outcome.decision != CORS_DECISION_PREFLIGHT_ALLOWED || outcome.status != 204) return 3;
    if (!equals(header(&outcome, "access-control-allow-origin"), "https://app.example.com")) return 4;
    if (!equals(header(&outcome, "access-control-allow-methods"), "GET, POST, PUT, DELETE")) return 5;
    /* The view reads the table in place: the policy name points into it. */
    if (outcome.policy.ptr < api_table || outcome.policy.ptr >= api_table + api_table_len) return 6;

    cors_request hostile = {0};
    hostile.method = text("GET");
    hostile.path = text("/api/users");
    hostile.origin = text("https://example.com.evil.net");
    if (cors_eval(policy, &hostile, &outcome) != CORS_RESULT_OK) return 7;
    if (outcome.decision != CORS_DECISION_ACTUAL_DENIED ||
        outcome.reason != CORS_REASON_ORIGIN_NOT_ALLOWED)
        return 8;

    /* A corrupted table is rejected, not trusted. */
    static uint8_t corrupted[4096];
    if (api_table_len > sizeof corrupted) return 9;
    memcpy(corrupted, api_table, api_table_len);
    corrupted[api_table_len - 1] ^= 1;
    cors_policy_view other;
    const cors_policy *rejected = 0;
    if (cors_policy_view_init(&other, corrupted, api_table_len, &rejected) !=
            CORS_RESULT_TABLE_CHECKSUM_MISMATCH ||
        rejected != 0)
        return 10;

    say("freestanding C host: ok\n");
    return 0;
}

/* The entry point: no C runtime, so align the stack, run, and exit_group. */
__asm__(".globl _start\n"
        "_start:\n"
        "    xor %rbp, %rbp\n"
        "    and $-16, %rsp\n"
        "    call freestanding_main\n"
        "    mov %eax, %edi\n"
        "    mov $231, %eax\n"
        "    syscall\n"
        "    hlt\n");
