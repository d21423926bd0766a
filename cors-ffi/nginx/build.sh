#!/usr/bin/env bash
# Builds ngx_http_cors_module.so against the installed (Debian) nginx.
#
#   cors-ffi/nginx/build.sh            # prints the path of the .so
#
# From a fresh machine: installs nginx and nginx-dev with apt-get when they
# are missing (as root), builds the cors-ffi staticlib with
# `cargo build --release -p cors-ffi`, configures a copy of nginx-dev's
# source tree (/usr/share/nginx/src) with nginx's own flags plus
# --add-dynamic-module, and runs `make modules`.
#
# Environment:
#   CORS_FFI_LIB        an already built libcors_ffi.a (skips the cargo build)
#   CORS_NGINX_BUILD    build directory (default: target/nginx-module)
#   NGINX_SRC           nginx source tree (default: /usr/share/nginx/src)
#
# The result is cached: a rebuild happens only when the module sources, the
# header, the staticlib (path and mtime) or nginx's version change. The .so
# is $CORS_NGINX_BUILD/ngx_http_cors_module.so; load it with
#   load_module /abs/path/ngx_http_cors_module.so;
set -euo pipefail

module_dir="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$module_dir/../.." && pwd)"
build="${CORS_NGINX_BUILD:-$root/target/nginx-module}"
nginx_src="${NGINX_SRC:-/usr/share/nginx/src}"

log() { echo "build.sh: $*" >&2; }

if [ ! -f "$nginx_src/conf_flags" ] || ! command -v nginx >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing nginx and nginx-dev"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx nginx-dev >&2
    else
        log "nginx and nginx-dev are needed: sudo apt-get install nginx nginx-dev"
        exit 1
    fi
fi

if [ -z "${CORS_FFI_LIB:-}" ]; then
    log "cargo build --release -p cors-ffi"
    (cd "$root" && cargo build --release -p cors-ffi >&2)
    CORS_FFI_LIB="$root/target/release/libcors_ffi.a"
fi
case "$CORS_FFI_LIB" in
    /*) ;;
    *) CORS_FFI_LIB="$PWD/$CORS_FFI_LIB" ;;
esac
[ -f "$CORS_FFI_LIB" ] || { log "$CORS_FFI_LIB not found"; exit 1; }

nginx_version="$(nginx -v 2>&1)"
key="$(
    {
        cat "$module_dir/config" "$module_dir/ngx_http_cors_module.c" \
            "$module_dir/../include/cors.h"
        echo "$CORS_FFI_LIB $(stat -c %Y "$CORS_FFI_LIB") $nginx_version"
    } | sha256sum | cut -d' ' -f1
)"

mkdir -p "$build"
# One build at a time in a build directory (a read-only cache needs none).
if { exec 9>>"$build/.lock"; } 2>/dev/null; then
    flock 9
fi

so="$build/ngx_http_cors_module.so"
if [ -f "$so" ] && [ "$(cat "$build/key" 2>/dev/null)" = "$key" ]; then
    echo "$so"
    exit 0
fi

src="$build/nginx-src"
# Configure once per module directory, library path and nginx version;
# other changes only need the module recompiled and relinked.
configure_key="$(echo "$module_dir $CORS_FFI_LIB $nginx_version" \
    "$(sha256sum < "$module_dir/config")" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$src/objs/Makefile" ] ||
    [ "$(cat "$build/configure-key" 2>/dev/null)" != "$configure_key" ]; then
    log "configuring nginx ($nginx_version) with the module"
    rm -rf "$src"
    cp -r "$nginx_src" "$src"
    (
        cd "$src"
        # shellcheck disable=SC1091
        . ./conf_flags
        export CORS_FFI_LIB
        ./configure "${NGX_CONF_FLAGS[@]}" --add-dynamic-module="$module_dir" \
            >"$build/configure.log" 2>&1 ||
            { cat "$build/configure.log" >&2; exit 1; }
    )
    echo "$configure_key" >"$build/configure-key"
fi

log "make modules"
# The Makefile does not track the staticlib: force the relink.
rm -f "$src"/objs/*.so
make -C "$src" -f objs/Makefile -j"$(nproc)" modules >"$build/make.log" 2>&1 ||
    { cat "$build/make.log" >&2; exit 1; }

cp "$src/objs/ngx_http_cors_module.so" "$so.tmp"
mv "$so.tmp" "$so"
echo "$key" >"$build/key"
echo "$so"
