/*
 * The smallest firmware-style program that evaluates a request: it
 * validates a table in place (cors_policy_view_init) and calls cors_eval,
 * nothing else. scripts/code-size links it against the no-heap cors-ffi
 * library with -nostdlib -static -Wl,--gc-sections, once as is and once
 * with -DBASELINE (the same program without the two calls), and reports
 * the difference: the bytes the eval path adds to a firmware image.
 *
 * The mem* functions a freestanding runtime supplies (mem.c, shared with
 * the freestanding checks) are linked and kept in both builds, so that the
 * difference is the Rust code alone.
 * x86_64 Linux only (raw exit syscall). Never run: only linked and measured.
 */
#define CORS_NO_HEAP
#include "cors.h"

/* The mem* functions: cors-match-core/tests/freestanding/mem.c, linked in
 * by scripts/code-size (the copy the freestanding checks use). */
void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int bcmp(const void *a, const void *b, size_t n);

/* Keeps the mem* functions in both builds (read by _start). */
void *volatile keep[] = {(void *)memcpy, (void *)memmove, (void *)memset, (void *)memcmp,
                         (void *)bcmp};

/* Opaque to the compiler: nothing about the table is known at link time. */
static const uint8_t table_bytes[64];
const uint8_t *volatile table = table_bytes;
volatile size_t table_len = sizeof table_bytes;

#ifndef BASELINE
static cors_policy_view storage;
#endif

void _start(void) {
    /* Both builds read every global, so that --gc-sections keeps them in both. */
    long status = keep[0] != 0 && table != 0 && table_len != 0;
#ifndef BASELINE
    const cors_policy *policy = 0;
    if (cors_policy_view_init(&storage, table, table_len, &policy) == CORS_RESULT_OK) {
        cors_request request = {0};
        request.method = (cors_bytes){(const uint8_t *)"OPTIONS", 7};
        request.path = (cors_bytes){(const uint8_t *)"/", 1};
        cors_outcome outcome;
        if (cors_eval(policy, &request, &outcome) == CORS_RESULT_OK) status = 0;
    }
#endif
    __asm__ volatile("syscall" : : "a"(60L /* exit */), "D"(status) : "rcx", "r11", "memory");
    for (;;) {
    }
}
