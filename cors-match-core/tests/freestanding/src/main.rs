//! Loads the embedded table and checks a few answers; the exit status is 0
//! when every answer is right, else the number of the failed check.
#![no_std]
#![no_main]

use core::panic::PanicInfo;

use cors_match_core::{Decision, Table, Reason, Request};

/// The committed golden table of `examples/api.corspolicy` (see Cargo.toml).
static TABLE: &[u8] = include_bytes!("../../fixtures/api.cors");

fn run() -> i32 {
    let Ok(policy) = Table::from_bytes(TABLE) else {
        return 1;
    };
    let mut preflight = Request::new(b"OPTIONS", b"/api/users");
    preflight.origin = Some(b"https://app.example.com");
    preflight.request_method = Some(b"PUT");
    preflight.request_headers = Some(b"content-type,authorization");
    let allowed = policy.eval(&preflight);
    if allowed.decision != Decision::PreflightAllowed || allowed.status != Some(204) {
        return 2;
    }
    if allowed.header("access-control-allow-origin") != Some(&b"https://app.example.com"[..]) {
        return 3;
    }
    preflight.origin = Some(b"https://evilexample.com");
    if policy.eval(&preflight).reason != Some(Reason::OriginNotAllowed) {
        return 4;
    }
    if Table::from_bytes(&TABLE[..TABLE.len() - 1]).is_ok() {
        return 5;
    }
    0
}

fn exit(code: i32) -> ! {
    // SAFETY: the exit_group system call takes one integer argument and
    // never returns.
    unsafe {
        core::arch::asm!("syscall", in("rax") 231, in("rdi") code, options(noreturn, nostack));
    }
}

#[no_mangle]
extern "C" fn freestanding_main() -> ! {
    exit(run())
}

// The kernel enters with the stack 16-byte aligned and no return address;
// clear the frame pointer and call main with the alignment the ABI expects.
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "xor rbp, rbp",
    "and rsp, -16",
    "call {main}",
    main = sym freestanding_main,
);

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    exit(101)
}

// Without libc, the few memory routines the compiler emits calls to
// (memcpy, memmove, memset, memcmp, bcmp) come from `../mem.c`, which
// build.rs compiles and links: one copy for this program and the C one.

#[no_mangle]
extern "C" fn rust_eh_personality() {}
