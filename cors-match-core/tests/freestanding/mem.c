/*
 * The memory routines a freestanding toolchain's runtime (newlib,
 * picolibc) would supply: the compilers emit calls to these even in code
 * that never names them. One copy for both freestanding checks, which have
 * no C library: the Rust program here (build.rs compiles and links this
 * file) and the C firmware program, cors-ffi/tests/freestanding/main.c
 * (scripts/check-freestanding-c links it in).
 *
 * Build with -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns,
 * so that the compiler does not turn these loops into calls to themselves.
 */
#include <stddef.h>

void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int bcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dest, const void *src, size_t n) {
    unsigned char *d = dest;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dest;
}

void *memmove(void *dest, const void *src, size_t n) {
    unsigned char *d = dest;
    const unsigned char *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dest;
}

void *memset(void *dest, int c, size_t n) {
    unsigned char *d = dest;
    while (n--) *d++ = (unsigned char)c;
    return dest;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x - *y;
    }
    return 0;
}

int bcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }
