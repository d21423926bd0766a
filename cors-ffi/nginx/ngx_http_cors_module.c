
/*
 * ngx_http_cors_module: CORS answered by a corsc policy through cors_eval().
 *
 *     cors_policy            /etc/nginx/api.corspolicy;  # source or table
 *     cors                   on;             # off | on | report-only
 *     cors_upstream_headers  strip;          # strip | keep
 *
 * A policy is read once per configuration: source is compiled in-process
 * (errors fail the configuration test with file:line:col diagnostics), a
 * compiled table (magic "CORSTBL\0") is validated and loaded; a file that
 * defines no policy is refused. It is freed by a cleanup of the
 * configuration's pool, so a reload frees the old policy with the old cycle.
 *
 * A main request is evaluated in the preaccess phase, after every rewrite
 * has chosen the URI and location nginx serves and before access checks
 * (auth_basic, auth_request), and again after each internal redirect
 * (try_files, error_page, X-Accel-Redirect): the URI finally served decides.
 * A preflight is answered there with the outcome's status and an empty body.
 * The header filter owns the response's Access-Control-Allow-*, -Expose-
 * Headers and -Max-Age headers in a "cors on" location: whatever an upstream,
 * add_header or an error page put there is removed and the outcome's
 * headers are set, on every status. A response sent before the preaccess
 * phase (a location's "return", a server-level "return", a 400) is
 * evaluated in the header filter; a preflight finalized by the location's
 * own rewrite phase ("return 204" in an "if") is answered as the policy
 * says. "report-only" evaluates, logs, sets $cors_decision and
 * $cors_reason, and changes nothing; it logs when the response's own CORS
 * headers disagree with the policy.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <cors.h>


#define NGX_HTTP_CORS_OFF     0
#define NGX_HTTP_CORS_ON      1
#define NGX_HTTP_CORS_REPORT  2

#define NGX_HTTP_CORS_UPSTREAM_STRIP  0
#define NGX_HTTP_CORS_UPSTREAM_KEEP   1

/* bytes of a request value (an origin) written to a log line */
#define NGX_HTTP_CORS_LOG_VALUE_MAX   256

/* the four request headers the core reads */
#define NGX_HTTP_CORS_ORIGIN          0
#define NGX_HTTP_CORS_REQUEST_METHOD  1
#define NGX_HTTP_CORS_REQUEST_HEADERS 2
#define NGX_HTTP_CORS_PRIVATE_NETWORK 3
#define NGX_HTTP_CORS_REQUEST_NAMES   4


/* One loaded policy, shared by every location naming the same file. */
typedef struct {
    ngx_str_t                   file;
    cors_policy                *policy;
} ngx_http_cors_policy_t;


typedef struct {
    ngx_array_t                 policies;   /* of ngx_http_cors_policy_t * */
    ngx_uint_t                  warned;     /* "cors on" with no policy */
} ngx_http_cors_main_conf_t;


typedef struct {
    ngx_http_cors_policy_t     *policy;
    ngx_uint_t                  mode;
    ngx_uint_t                  upstream_headers;
} ngx_http_cors_loc_conf_t;


/*
 * The outcome of one evaluation, copied into the request pool: a
 * cors_outcome borrows from the policy and from the request headers.
 * "conf" and "uri" say what was evaluated: a response from another
 * location or URI (after an internal redirect) is evaluated again.
 */
typedef struct {
    ngx_http_cors_loc_conf_t   *conf;
    ngx_str_t                   uri;
    ngx_uint_t                  answered;   /* a preflight, by the module */
    cors_decision               decision;
    cors_reason                 reason;
    ngx_uint_t                  status;
    ngx_str_t                   policy;
    ngx_uint_t                  nheaders;
    ngx_table_elt_t             headers[CORS_MAX_HEADERS];
} ngx_http_cors_ctx_t;


/* A request header the core reads, joined over its repeated lines. */
typedef struct {
    ngx_str_t                   value;
    ngx_uint_t                  lines;
    size_t                      len;        /* of all the lines' values */
} ngx_http_cors_request_header_t;


static ngx_int_t ngx_http_cors_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_cors_header_filter(ngx_http_request_t *r);
static ngx_uint_t ngx_http_cors_is_preflight(ngx_http_cors_ctx_t *ctx);
static ngx_uint_t ngx_http_cors_before_preaccess(ngx_http_request_t *r);
static void ngx_http_cors_answer_in_filter(ngx_http_request_t *r,
    ngx_http_cors_ctx_t *ctx);
static ngx_uint_t ngx_http_cors_is_owned(ngx_table_elt_t *h);
static ngx_uint_t ngx_http_cors_prepare_headers(ngx_http_request_t *r,
    ngx_uint_t strip);
static void ngx_http_cors_report(ngx_http_request_t *r,
    ngx_http_cors_ctx_t *ctx);
static ngx_http_cors_ctx_t *ngx_http_cors_get_ctx(ngx_http_request_t *r);
static ngx_http_cors_ctx_t *ngx_http_cors_evaluate(ngx_http_request_t *r,
    ngx_http_cors_loc_conf_t *clcf);
static ngx_int_t ngx_http_cors_read_request_headers(ngx_http_request_t *r,
    ngx_http_cors_request_header_t *in);
static ngx_int_t ngx_http_cors_request_name(ngx_table_elt_t *h);
static ngx_uint_t ngx_http_cors_sent_has_token(ngx_http_request_t *r,
    ngx_str_t *key, u_char *token, size_t len);
static u_char *ngx_http_cors_escape(u_char *dst, u_char *last, u_char *src,
    size_t len, size_t max);
static ngx_int_t ngx_http_cors_set_header(ngx_http_request_t *r,
    ngx_table_elt_t *hdr);
static ngx_int_t ngx_http_cors_merge_vary(ngx_http_request_t *r,
    ngx_table_elt_t *hdr);
static ngx_uint_t ngx_http_cors_has_token(ngx_str_t *list, u_char *token,
    size_t len);
static void ngx_http_cors_cleanup_ctx(void *data);
static void ngx_http_cors_cleanup_policy(void *data);

static ngx_int_t ngx_http_cors_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

static char *ngx_http_cors_policy(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static void ngx_http_cors_log_diagnostics(ngx_conf_t *cf,
    cors_diagnostics *diags, ngx_str_t *file);
static ngx_int_t ngx_http_cors_add_variables(ngx_conf_t *cf);
static void *ngx_http_cors_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_cors_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_cors_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_cors_init(ngx_conf_t *cf);


static ngx_conf_enum_t  ngx_http_cors_modes[] = {
    { ngx_string("off"), NGX_HTTP_CORS_OFF },
    { ngx_string("on"), NGX_HTTP_CORS_ON },
    { ngx_string("report-only"), NGX_HTTP_CORS_REPORT },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_cors_upstream_headers[] = {
    { ngx_string("strip"), NGX_HTTP_CORS_UPSTREAM_STRIP },
    { ngx_string("keep"), NGX_HTTP_CORS_UPSTREAM_KEEP },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_cors_commands[] = {

    { ngx_string("cors_policy"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_cors_policy,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("cors"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_cors_loc_conf_t, mode),
      &ngx_http_cors_modes },

    { ngx_string("cors_upstream_headers"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_cors_loc_conf_t, upstream_headers),
      &ngx_http_cors_upstream_headers },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_cors_module_ctx = {
    ngx_http_cors_add_variables,           /* preconfiguration */
    ngx_http_cors_init,                    /* postconfiguration */

    ngx_http_cors_create_main_conf,        /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_cors_create_loc_conf,         /* create location configuration */
    ngx_http_cors_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_http_cors_module = {
    NGX_MODULE_V1,
    &ngx_http_cors_module_ctx,             /* module context */
    ngx_http_cors_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_variable_t  ngx_http_cors_vars[] = {

    { ngx_string("cors_decision"), NULL, ngx_http_cors_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("cors_reason"), NULL, ngx_http_cors_variable, 1,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;


/* The names the core emits (lower-case), how they are sent, in its order. */
typedef struct {
    ngx_str_t                   key;
    char                       *lowcase_key;
    ngx_uint_t                  single;     /* one value, sent once */
} ngx_http_cors_name_t;


static ngx_http_cors_name_t  ngx_http_cors_names[] = {
    { ngx_string("Access-Control-Allow-Origin"),
      "access-control-allow-origin", 1 },
    { ngx_string("Access-Control-Allow-Credentials"),
      "access-control-allow-credentials", 1 },
    { ngx_string("Access-Control-Allow-Methods"),
      "access-control-allow-methods", 0 },
    { ngx_string("Access-Control-Allow-Headers"),
      "access-control-allow-headers", 0 },
    { ngx_string("Access-Control-Max-Age"),
      "access-control-max-age", 1 },
    { ngx_string("Access-Control-Allow-Private-Network"),
      "access-control-allow-private-network", 1 },
    { ngx_string("Access-Control-Expose-Headers"),
      "access-control-expose-headers", 0 },
    { ngx_string("Vary"), "vary", 0 }
};


#define NGX_HTTP_CORS_NAMES                                                  \
    (sizeof(ngx_http_cors_names) / sizeof(ngx_http_cors_name_t))


/* The request headers the core reads, by NGX_HTTP_CORS_ORIGIN... */
static ngx_str_t  ngx_http_cors_request_names[] = {
    ngx_string("origin"),
    ngx_string("access-control-request-method"),
    ngx_string("access-control-request-headers"),
    ngx_string("access-control-request-private-network")
};


static ngx_int_t
ngx_http_cors_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_http_cors_ctx_t       *ctx;
    ngx_http_cors_loc_conf_t  *clcf;

    if (r != r->main) {
        return NGX_DECLINED;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_cors_module);

    if (clcf->mode == NGX_HTTP_CORS_OFF || clcf->policy == NULL) {
        return NGX_DECLINED;
    }

    /*
     * once per location and URI: the preaccess phase runs again after an
     * internal redirect, with the URI and location it chose
     */

    ctx = ngx_http_cors_evaluate(r, clcf);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (clcf->mode != NGX_HTTP_CORS_ON || !ngx_http_cors_is_preflight(ctx)) {
        return NGX_DECLINED;
    }

    /* a preflight: answer it here, the header filter adds the headers */

    ctx->answered = 1;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    r->headers_out.status = ctx->status;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_last_modified(r);
    ngx_http_clear_etag(r);

    /* a generic phase handler finalizes the request itself */

    ngx_http_finalize_request(r, ngx_http_send_header(r));

    return NGX_DONE;
}


static ngx_int_t
ngx_http_cors_header_filter(ngx_http_request_t *r)
{
    ngx_uint_t                 i, strip;
    ngx_table_elt_t           *h;
#if (NGX_HTTP_GZIP)
    ngx_table_elt_t            gzip_vary;
    ngx_http_core_loc_conf_t  *core;
#endif
    ngx_http_cors_ctx_t       *ctx;
    ngx_http_cors_loc_conf_t  *clcf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_cors_module);

    if (clcf->mode == NGX_HTTP_CORS_OFF || clcf->policy == NULL) {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_cors_get_ctx(r);

    if (ctx == NULL
        || ctx->conf != clcf
        || ctx->uri.len != r->uri.len
        || (r->uri.len
            && ngx_memcmp(ctx->uri.data, r->uri.data, r->uri.len) != 0))
    {
        /*
         * not evaluated for this location and URI: a response sent before
         * the preaccess phase, such as a "return" or a 400
         */

        ctx = ngx_http_cors_evaluate(r, clcf);
        if (ctx == NULL) {
            return NGX_ERROR;
        }
    }

    if (clcf->mode == NGX_HTTP_CORS_REPORT) {
        ngx_http_cors_report(r, ctx);
        return ngx_http_next_header_filter(r);
    }

    strip = (clcf->upstream_headers == NGX_HTTP_CORS_UPSTREAM_STRIP);

    if (ctx->answered) {
        /*
         * answered in the preaccess phase: after an error_page redirect
         * ngx_http_send_header() put the error's status back
         */
        r->headers_out.status = ctx->status;
        r->headers_out.status_line.len = 0;

    } else if (ngx_http_cors_is_preflight(ctx)) {

        if (!ngx_http_cors_before_preaccess(r)) {
            /*
             * a preflight answered before the location was known (a
             * server-level "return", a 400): the location's policy does
             * not speak for it
             */
            (void) ngx_http_cors_prepare_headers(r, strip);
            return ngx_http_next_header_filter(r);
        }

        ngx_http_cors_answer_in_filter(r, ctx);
    }

#if (NGX_HTTP_GZIP)

    if (r->gzip_vary) {

        /*
         * gzip_vary: the header serializer would add a "Vary:
         * Accept-Encoding" line of its own; make it a header of the list,
         * so that it is merged with the policy's Vary
         */

        core = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

        if (core->gzip_vary) {
            ngx_memzero(&gzip_vary, sizeof(ngx_table_elt_t));
            gzip_vary.hash = 1;
            ngx_str_set(&gzip_vary.key, "Vary");
            ngx_str_set(&gzip_vary.value, "Accept-Encoding");
            gzip_vary.lowcase_key = (u_char *) "vary";

            if (ngx_http_cors_merge_vary(r, &gzip_vary) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        r->gzip_vary = 0;
    }

#endif

    if (!ngx_http_cors_prepare_headers(r, strip)) {

        /* the usual case: no Vary and no CORS header left */

        for (i = 0; i < ctx->nheaders; i++) {
            h = ngx_list_push(&r->headers_out.headers);
            if (h == NULL) {
                return NGX_ERROR;
            }

            *h = ctx->headers[i];
        }

        return ngx_http_next_header_filter(r);
    }

    for (i = 0; i < ctx->nheaders; i++) {
        if (ngx_http_cors_set_header(r, &ctx->headers[i]) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return ngx_http_next_header_filter(r);
}


static ngx_uint_t
ngx_http_cors_is_preflight(ngx_http_cors_ctx_t *ctx)
{
    return ctx->decision == CORS_DECISION_PREFLIGHT_ALLOWED
           || ctx->decision == CORS_DECISION_PREFLIGHT_DENIED;
}


/*
 * Whether the response was started in the location's rewrite phase, after
 * the location was found and before the module's preaccess handler ran: a
 * "return" or a "rewrite ... redirect" of the location (or of an "if" in
 * it).
 */

static ngx_uint_t
ngx_http_cors_before_preaccess(ngx_http_request_t *r)
{
    ngx_uint_t                  i;
    ngx_http_phase_handler_t   *ph;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_core_module);

    if (r->phase_handler < 0
        || (ngx_uint_t) r->phase_handler
           < cmcf->phase_engine.location_rewrite_index)
    {
        return 0;
    }

    ph = cmcf->phase_engine.handlers;

    for (i = cmcf->phase_engine.location_rewrite_index; ph[i].checker; i++) {
        if (ph[i].handler == ngx_http_cors_handler) {
            return (ngx_uint_t) r->phase_handler < i;
        }
    }

    return 0;
}


/*
 * A preflight that the location's rewrite phase finalized ("return 204" in
 * an "if ($request_method = OPTIONS)", a "return 200"): in a "cors on"
 * location a preflight is the module's to answer, so the response becomes
 * the outcome's status with no body.
 */

static void
ngx_http_cors_answer_in_filter(ngx_http_request_t *r, ngx_http_cors_ctx_t *ctx)
{
    ctx->answered = 1;

    r->headers_out.status = ctx->status;
    r->headers_out.status_line.len = 0;
    r->headers_out.content_type.len = 0;
    r->headers_out.content_type_len = 0;
    r->headers_out.charset.len = 0;
    r->header_only = 1;

    if (r->headers_out.location) {
        r->headers_out.location->hash = 0;
        r->headers_out.location = NULL;
    }

    ngx_http_clear_content_length(r);
    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_last_modified(r);
    ngx_http_clear_etag(r);

    r->headers_out.content_length_n = 0;
}


/*
 * The response headers the module owns in a "cors on" location; Vary is
 * merged instead.
 */

static ngx_uint_t
ngx_http_cors_is_owned(ngx_table_elt_t *h)
{
    if (h->key.len > sizeof("Access-Control-Allow-") - 1
        && ngx_strncasecmp(h->key.data, (u_char *) "Access-Control-Allow-",
                           sizeof("Access-Control-Allow-") - 1) == 0)
    {
        return 1;
    }

    if (h->key.len == sizeof("Access-Control-Expose-Headers") - 1
        && ngx_strncasecmp(h->key.data,
                           (u_char *) "Access-Control-Expose-Headers",
                           h->key.len) == 0)
    {
        return 1;
    }

    return h->key.len == sizeof("Access-Control-Max-Age") - 1
           && ngx_strncasecmp(h->key.data, (u_char *) "Access-Control-Max-Age",
                              h->key.len) == 0;
}


/*
 * One pass over the response headers: with "strip", removes every header
 * the module owns (an upstream's, add_header's, an error page's). Returns
 * whether a Vary or an Access-Control-* header is left, which the outcome's
 * headers must be merged with instead of appended.
 */

static ngx_uint_t
ngx_http_cors_prepare_headers(ngx_http_request_t *r, ngx_uint_t strip)
{
    ngx_uint_t        i, conflict;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    conflict = 0;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0) {
            continue;
        }

        if (h[i].key.len == sizeof("Vary") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Vary",
                               sizeof("Vary") - 1) == 0)
        {
            conflict = 1;
            continue;
        }

        if (strip && ngx_http_cors_is_owned(&h[i])) {
#if (NGX_DEBUG)
            if (r->connection->log->log_level & NGX_LOG_DEBUG_HTTP) {
                u_char  line[2 * (4 * NGX_HTTP_CORS_LOG_VALUE_MAX + 32)], *p;

                p = ngx_http_cors_escape(line, line + sizeof(line) / 2,
                                         h[i].key.data, h[i].key.len,
                                         NGX_HTTP_CORS_LOG_VALUE_MAX);
                p = ngx_slprintf(p, line + sizeof(line), ": ");
                p = ngx_http_cors_escape(p, line + sizeof(line),
                                         h[i].value.data, h[i].value.len,
                                         NGX_HTTP_CORS_LOG_VALUE_MAX);

                ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                               "cors: removed \"%*s\"", (size_t) (p - line),
                               line);
            }
#endif
            h[i].hash = 0;
            continue;
        }

        if (h[i].key.len > sizeof("Access-Control-") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Access-Control-",
                               sizeof("Access-Control-") - 1) == 0)
        {
            conflict = 1;
        }
    }

    return conflict;
}


/*
 * report-only: one info line per request when the response's own CORS
 * headers (from the upstream, add_header...) are not what the policy would
 * send, header by header. Single-valued headers (-Allow-Origin,
 * -Credentials, -Max-Age, -Private-Network) must be sent once and equal
 * byte for byte; lists are compared as sets of tokens, ignoring case. The
 * line names at most two sent values per header, each cut at 64 bytes,
 * so that it fits nginx's 2048-byte log lines.
 */

#define NGX_HTTP_CORS_REPORT_VALUES     2
#define NGX_HTTP_CORS_REPORT_VALUE_MAX  64

static void
ngx_http_cors_report(ngx_http_request_t *r, ngx_http_cors_ctx_t *ctx)
{
    u_char           *p, *last, *mark, *t, *end, *token;
    size_t            size;
    ngx_str_t        *mine, value, *key;
    ngx_uint_t        i, k, sent, differs, single;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;
    u_char            line[1800];

    if (ctx->answered) {
        return;
    }

    ctx->answered = 1;  /* report once, whatever sends the header */

    p = line;
    last = line + sizeof(line);

    for (k = 0; k < NGX_HTTP_CORS_NAMES - 1; k++) {

        mark = p;
        key = &ngx_http_cors_names[k].key;
        single = ngx_http_cors_names[k].single;
        mine = NULL;

        for (i = 0; i < ctx->nheaders; i++) {
            if (ctx->headers[i].lowcase_key
                == (u_char *) ngx_http_cors_names[k].lowcase_key)
            {
                mine = &ctx->headers[i].value;
            }
        }

        sent = 0;
        differs = 0;

        part = &r->headers_out.headers.part;
        h = part->elts;

        for (i = 0; /* void */ ; i++) {

            if (i >= part->nelts) {
                if (part->next == NULL) {
                    break;
                }

                part = part->next;
                h = part->elts;
                i = 0;
            }

            if (h[i].hash == 0
                || h[i].key.len != key->len
                || ngx_strncasecmp(h[i].key.data, key->data, key->len) != 0)
            {
                continue;
            }

            sent++;

            if (sent == 1) {
                p = ngx_slprintf(p, last, "%s%V: sent \"",
                                 mark == line ? "" : "; ", key);

            } else if (sent <= NGX_HTTP_CORS_REPORT_VALUES) {
                p = ngx_slprintf(p, last, ", \"");
            }

            if (sent <= NGX_HTTP_CORS_REPORT_VALUES) {

                p = ngx_http_cors_escape(p, last, h[i].value.data,
                                         h[i].value.len,
                                         NGX_HTTP_CORS_REPORT_VALUE_MAX);
                p = ngx_slprintf(p, last, "\"");
            }

            value = h[i].value;

            while (value.len && (value.data[value.len - 1] == ' '
                                 || value.data[value.len - 1] == '\t'))
            {
                value.len--;
            }

            while (value.len && (value.data[0] == ' ' || value.data[0] == '\t'))
            {
                value.data++;
                value.len--;
            }

            if (mine == NULL || (single && sent > 1)) {
                differs = 1;
                continue;
            }

            if (single) {
                if (value.len != mine->len
                    || ngx_strncmp(value.data, mine->data, value.len) != 0)
                {
                    differs = 1;
                }

                continue;
            }

            /* every sent token is one of the policy's */

            t = value.data;
            end = value.data + value.len;

            while (t < end && !differs) {
                while (t < end && (*t == ' ' || *t == '\t' || *t == ',')) {
                    t++;
                }

                token = t;

                while (t < end && *t != ',' && *t != ' ' && *t != '\t') {
                    t++;
                }

                if (t > token
                    && !ngx_http_cors_has_token(mine, token, t - token))
                {
                    differs = 1;
                }
            }
        }

        if (sent > NGX_HTTP_CORS_REPORT_VALUES) {
            p = ngx_slprintf(p, last, " and %ui more",
                             sent - NGX_HTTP_CORS_REPORT_VALUES);
        }

        if (mine != NULL && sent && !differs && !single) {

            /* and every one of the policy's tokens was sent */

            t = mine->data;
            end = mine->data + mine->len;

            while (t < end && !differs) {
                while (t < end && (*t == ' ' || *t == '\t' || *t == ',')) {
                    t++;
                }

                token = t;

                while (t < end && *t != ',' && *t != ' ' && *t != '\t') {
                    t++;
                }

                if (t > token
                    && !ngx_http_cors_sent_has_token(r, key, token, t - token))
                {
                    differs = 1;
                }
            }
        }

        if (mine != NULL && !sent) {
            differs = 1;
        }

        if (!differs) {
            /* agreed (or neither sends it): take back what was written */
            p = mark;
            continue;
        }

        if (!sent) {
            p = ngx_slprintf(p, last, "%s%V: sent none",
                             mark == line ? "" : "; ", key);
        }

        if (mine) {
            p = ngx_slprintf(p, last, ", policy \"");
            p = ngx_http_cors_escape(p, last, mine->data, mine->len,
                                     NGX_HTTP_CORS_REPORT_VALUE_MAX);
            p = ngx_slprintf(p, last, "\"");

        } else {
            p = ngx_slprintf(p, last, ", policy none");
        }
    }

    if (p == line) {
        return;
    }

    size = p - line;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "cors report-only: the response's CORS headers disagree "
                  "with the policy (%s%s%s, policy \"%V\"): %*s",
                  cors_decision_str(ctx->decision),
                  ctx->reason == CORS_REASON_NONE ? "" : " ",
                  cors_reason_str(ctx->reason), &ctx->policy, size, line);
}


/* Whether a response header named "key" holds a token, ignoring case. */

static ngx_uint_t
ngx_http_cors_sent_has_token(ngx_http_request_t *r, ngx_str_t *key,
    u_char *token, size_t len)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash != 0
            && h[i].key.len == key->len
            && ngx_strncasecmp(h[i].key.data, key->data, key->len) == 0
            && ngx_http_cors_has_token(&h[i].value, token, len))
        {
            return 1;
        }
    }

    return 0;
}


/*
 * The latest evaluation of the main request. An internal redirect
 * (error_page, try_files) clears r->ctx; the pool cleanup that owns the
 * context keeps it reachable, as the realip module does (cleanups are
 * pushed in front: the first found is the latest).
 */

static ngx_http_cors_ctx_t *
ngx_http_cors_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t   *cln;
    ngx_http_cors_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_cors_module);

    if (ctx == NULL && (r->internal || r->filter_finalize)) {

        for (cln = r->pool->cleanup; cln; cln = cln->next) {
            if (cln->handler == ngx_http_cors_cleanup_ctx) {
                ctx = cln->data;
                ngx_http_set_ctx(r, ctx, ngx_http_cors_module);
                break;
            }
        }
    }

    return ctx;
}


static ngx_http_cors_ctx_t *
ngx_http_cors_evaluate(ngx_http_request_t *r, ngx_http_cors_loc_conf_t *clcf)
{
    size_t                           i;
    u_char                           origin[4 * NGX_HTTP_CORS_LOG_VALUE_MAX
                                            + 32], *path;
    ngx_uint_t                       j, k, n, next, level;
    ngx_str_t                        method;
    cors_bytes                      *field;
    cors_result                      rc;
    cors_outcome                     out;
    cors_request                     req;
    ngx_table_elt_t                 *hdr;
    ngx_pool_cleanup_t              *cln;
    ngx_http_cors_ctx_t             *ctx;
    ngx_http_cors_name_t            *name;
    ngx_http_cors_request_header_t   in[NGX_HTTP_CORS_REQUEST_NAMES];

    if (ngx_http_cors_read_request_headers(r, in) != NGX_OK) {
        return NULL;
    }

    ngx_memzero(&req, sizeof(cors_request));

    /* cors_bytes: a NULL pointer is an absent header, never a C string */

    /*
     * the method the client sent: an error_page or X-Accel-Redirect to a
     * URI turns r->method_name into GET, the request line keeps it
     */

    method = r->method_name;

    if (r->request_line.len) {
        method.data = r->request_line.data;
        method.len = 0;

        while (method.len < r->request_line.len
               && method.data[method.len] != ' ')
        {
            method.len++;
        }
    }

    req.method.ptr = method.data;
    req.method.len = method.len;

    /*
     * the normalized (decoded, dot segments merged) URI, without the args;
     * a '?' or '#' in it was sent as %3F or %23, and goes back escaped,
     * since corsc takes a '?' for the start of a query
     */
    req.path.ptr = r->uri.data;
    req.path.len = r->uri.len;

    for (i = 0, n = 0; i < r->uri.len; i++) {
        if (r->uri.data[i] == '?' || r->uri.data[i] == '#') {
            n++;
        }
    }

    if (n) {
        path = ngx_pnalloc(r->pool, r->uri.len + 2 * n);
        if (path == NULL) {
            return NULL;
        }

        req.path.ptr = path;

        for (i = 0; i < r->uri.len; i++) {
            if (r->uri.data[i] == '?' || r->uri.data[i] == '#') {
                *path++ = '%';
                *path++ = '2' + (r->uri.data[i] == '?');
                *path++ = (r->uri.data[i] == '?') ? 'F' : '3';

            } else {
                *path++ = r->uri.data[i];
            }
        }

        req.path.len = path - req.path.ptr;
    }

    for (k = 0; k < NGX_HTTP_CORS_PRIVATE_NETWORK; k++) {

        if (in[k].lines == 0) {
            continue;
        }

        field = (k == NGX_HTTP_CORS_ORIGIN) ? &req.origin
                : (k == NGX_HTTP_CORS_REQUEST_METHOD) ? &req.request_method
                : &req.request_headers;

        field->ptr = in[k].value.data ? in[k].value.data : (u_char *) "";
        field->len = in[k].value.len;
    }

    req.private_network =
        (in[NGX_HTTP_CORS_PRIVATE_NETWORK].lines
         && in[NGX_HTTP_CORS_PRIVATE_NETWORK].value.len == 4
         && ngx_strncasecmp(in[NGX_HTTP_CORS_PRIVATE_NETWORK].value.data,
                            (u_char *) "true", 4) == 0);

    rc = cors_eval(clcf->policy->policy, &req, &out);

    if (rc != CORS_RESULT_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "cors_eval() failed: %s", cors_result_str(rc));
        return NULL;
    }

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_cors_ctx_t));
    if (cln == NULL) {
        return NULL;
    }

    ctx = cln->data;
    ngx_memzero(ctx, sizeof(ngx_http_cors_ctx_t));
    cln->handler = ngx_http_cors_cleanup_ctx;

    ctx->conf = clcf;
    ctx->uri = r->uri;
    ctx->decision = out.decision;
    ctx->reason = out.reason;
    ctx->status = out.status;

    if (out.policy.ptr != NULL) {
        ctx->policy.data = ngx_pnalloc(r->pool, out.policy.len);
        if (ctx->policy.data == NULL) {
            return NULL;
        }

        ngx_memcpy(ctx->policy.data, out.policy.ptr, out.policy.len);
        ctx->policy.len = out.policy.len;
    }

    /* copy the headers: their values borrow from the policy and request */

    n = 0;
    next = 0;

    for (i = 0; i < out.header_count && i < CORS_MAX_HEADERS; i++) {

        hdr = &ctx->headers[n];

        /*
         * the core emits the headers in the order of the table: start
         * after the previous match, so each lookup is one comparison
         */

        name = NULL;

        for (k = 0; k < NGX_HTTP_CORS_NAMES; k++) {
            j = (next + k) % NGX_HTTP_CORS_NAMES;

            if (ngx_http_cors_names[j].key.len == out.headers[i].name.len
                && ngx_memcmp(ngx_http_cors_names[j].lowcase_key,
                              out.headers[i].name.ptr,
                              out.headers[i].name.len)
                   == 0)
            {
                name = &ngx_http_cors_names[j];
                next = j + 1;
                break;
            }
        }

        if (name == NULL) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "cors_eval() returned an unknown header \"%*s\"",
                          out.headers[i].name.len, out.headers[i].name.ptr);
            continue;
        }

        hdr->hash = 1;
        hdr->key = name->key;
        hdr->lowcase_key = (u_char *) name->lowcase_key;

        hdr->value.len = out.headers[i].value.len;
        hdr->value.data = ngx_pnalloc(r->pool, hdr->value.len + 1);
        if (hdr->value.data == NULL) {
            return NULL;
        }

        if (hdr->value.len) {
            ngx_memcpy(hdr->value.data, out.headers[i].value.ptr,
                       hdr->value.len);
        }

        hdr->value.data[hdr->value.len] = '\0';
        n++;
    }

    ctx->nheaders = n;

    ngx_http_set_ctx(r, ctx, ngx_http_cors_module);

    level = (clcf->mode == NGX_HTTP_CORS_REPORT) ? NGX_LOG_INFO
                                                 : NGX_LOG_DEBUG;

    if (r->connection->log->log_level >= level) {

        /* the origin is the client's bytes: escaped and bounded */

        n = ngx_http_cors_escape(origin, origin + sizeof(origin),
                                 in[NGX_HTTP_CORS_ORIGIN].value.data,
                                 in[NGX_HTTP_CORS_ORIGIN].value.len,
                                 NGX_HTTP_CORS_LOG_VALUE_MAX)
            - origin;

        ngx_log_error(level, r->connection->log, 0,
                      "cors%s: %s%s%s, policy \"%V\", origin \"%*s\"",
                      clcf->mode == NGX_HTTP_CORS_REPORT ? " report-only" : "",
                      cors_decision_str(ctx->decision),
                      ctx->reason == CORS_REASON_NONE ? "" : " ",
                      cors_reason_str(ctx->reason), &ctx->policy,
                      (size_t) n, origin);
    }

    return ctx;
}


/*
 * Reads the four request headers the core wants. Repeated lines are joined
 * with ",": for the requested headers that is their meaning, and a joined
 * Origin or requested method is malformed, which is the answer a repeated
 * one deserves. Two passes (count, then copy once), so that a request with
 * thousands of repeated lines costs time and memory linear in its size.
 */

static ngx_int_t
ngx_http_cors_read_request_headers(ngx_http_request_t *r,
    ngx_http_cors_request_header_t *in)
{
    u_char           *p;
    ngx_int_t         k;
    ngx_uint_t        i, repeated;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    ngx_memzero(in, NGX_HTTP_CORS_REQUEST_NAMES
                    * sizeof(ngx_http_cors_request_header_t));

    repeated = 0;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        k = ngx_http_cors_request_name(&h[i]);
        if (k < 0) {
            continue;
        }

        if (in[k].lines++ == 0) {
            in[k].value = h[i].value;

        } else {
            repeated = 1;
        }

        in[k].len += h[i].value.len;
    }

    if (!repeated) {
        return NGX_OK;
    }

    for (k = 0; k < NGX_HTTP_CORS_REQUEST_NAMES; k++) {

        if (in[k].lines < 2) {
            continue;
        }

        /* the values and a "," between each two */

        p = ngx_pnalloc(r->pool, in[k].len + in[k].lines - 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        in[k].value.data = p;
        in[k].value.len = in[k].len + in[k].lines - 1;
    }

    for (k = 0; k < NGX_HTTP_CORS_REQUEST_NAMES; k++) {
        in[k].len = 0;  /* now: the bytes copied so far */
    }

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        k = ngx_http_cors_request_name(&h[i]);
        if (k < 0 || in[k].lines < 2) {
            continue;
        }

        p = in[k].value.data + in[k].len;

        if (in[k].len) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, h[i].value.data, h[i].value.len);
        in[k].len = p - in[k].value.data;
    }

    return NGX_OK;
}


/* Which of the four request headers a line is, or -1. */

static ngx_int_t
ngx_http_cors_request_name(ngx_table_elt_t *h)
{
    ngx_int_t  k;

    /* the lengths differ: one comparison of the lower-cased name */

    switch (h->key.len) {

    case sizeof("origin") - 1:
        k = NGX_HTTP_CORS_ORIGIN;
        break;

    case sizeof("access-control-request-method") - 1:
        k = NGX_HTTP_CORS_REQUEST_METHOD;
        break;

    case sizeof("access-control-request-headers") - 1:
        k = NGX_HTTP_CORS_REQUEST_HEADERS;
        break;

    case sizeof("access-control-request-private-network") - 1:
        k = NGX_HTTP_CORS_PRIVATE_NETWORK;
        break;

    default:
        return -1;
    }

    if (ngx_strncmp(h->lowcase_key, ngx_http_cors_request_names[k].data,
                    h->key.len) != 0)
    {
        return -1;
    }

    return k;
}


/*
 * Writes client bytes for a log line: printable ASCII as it is, anything
 * else (control bytes, ESC, DEL, bytes over 0x7f), '"' and '\' as \xHH.
 * At most "max" bytes of the value are written; a longer one ends with
 * "...(N bytes)". Never writes past "last".
 */

static u_char *
ngx_http_cors_escape(u_char *dst, u_char *last, u_char *src, size_t len,
    size_t max)
{
    size_t         i, n;
    static u_char  hex[] = "0123456789ABCDEF";

    n = ngx_min(len, max);

    for (i = 0; i < n && dst < last; i++) {

        if (src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"'
            && src[i] != '\\')
        {
            *dst++ = src[i];
            continue;
        }

        if (last - dst < 4) {
            break;
        }

        *dst++ = '\\';
        *dst++ = 'x';
        *dst++ = hex[src[i] >> 4];
        *dst++ = hex[src[i] & 0xf];
    }

    if (i < len) {
        dst = ngx_slprintf(dst, last, "...(%uz bytes)", len);
    }

    return dst;
}


/*
 * Adds one outcome header to the response. A header the response has
 * already (from an upstream, or "add_header") is replaced, never
 * duplicated; Vary is merged token by token.
 */

static ngx_int_t
ngx_http_cors_set_header(ngx_http_request_t *r, ngx_table_elt_t *hdr)
{
    ngx_uint_t        i, found;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    if (hdr->key.len == sizeof("Vary") - 1
        && ngx_strncasecmp(hdr->key.data, (u_char *) "Vary",
                           sizeof("Vary") - 1) == 0)
    {
        return ngx_http_cors_merge_vary(r, hdr);
    }

    found = 0;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0
            || h[i].key.len != hdr->key.len
            || ngx_strncasecmp(h[i].key.data, hdr->key.data, hdr->key.len)
               != 0)
        {
            continue;
        }

        if (found) {
            h[i].hash = 0;
            continue;
        }

        h[i].value = hdr->value;
        found = 1;
    }

    if (found) {
        return NGX_OK;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = *hdr;

    return NGX_OK;
}


static ngx_int_t
ngx_http_cors_merge_vary(ngx_http_request_t *r, ngx_table_elt_t *hdr)
{
    u_char           *p, *start, *end, *token;
    size_t            len;
    ngx_uint_t        i;
    ngx_str_t         add;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *first;

    /* the tokens of hdr->value not yet in any Vary of the response */

    add.data = ngx_pnalloc(r->pool, 2 * hdr->value.len);
    if (add.data == NULL) {
        return NGX_ERROR;
    }

    add.len = 0;
    first = NULL;

    p = hdr->value.data;
    end = hdr->value.data + hdr->value.len;

    while (p < end) {

        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        token = p;

        while (p < end && *p != ',' && *p != ' ' && *p != '\t') {
            p++;
        }

        len = p - token;

        if (len == 0) {
            continue;
        }

        part = &r->headers_out.headers.part;
        h = part->elts;

        for (i = 0; /* void */ ; i++) {

            if (i >= part->nelts) {
                if (part->next == NULL) {
                    break;
                }

                part = part->next;
                h = part->elts;
                i = 0;
            }

            if (h[i].hash == 0
                || h[i].key.len != sizeof("Vary") - 1
                || ngx_strncasecmp(h[i].key.data, (u_char *) "Vary",
                                   sizeof("Vary") - 1) != 0)
            {
                continue;
            }

            if (first == NULL) {
                first = &h[i];
            }

            if (ngx_http_cors_has_token(&h[i].value, token, len)
                || ngx_http_cors_has_token(&h[i].value, (u_char *) "*", 1))
            {
                goto next;
            }
        }

        if (!ngx_http_cors_has_token(&add, token, len)) {
            if (add.len) {
                add.data[add.len++] = ',';
                add.data[add.len++] = ' ';
            }

            add.len = ngx_cpymem(add.data + add.len, token, len) - add.data;
        }

    next:

        continue;
    }

    if (add.len == 0) {
        return NGX_OK;
    }

    if (first == NULL) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        *h = *hdr;
        h->value = add;

        return NGX_OK;
    }

    /* append to the response's first Vary */

    len = first->value.len + sizeof(", ") - 1 + add.len;

    start = ngx_pnalloc(r->pool, len);
    if (start == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(start, first->value.data, first->value.len);

    if (first->value.len) {
        *p++ = ',';
        *p++ = ' ';

    } else {
        len -= sizeof(", ") - 1;
    }

    ngx_memcpy(p, add.data, add.len);

    first->value.data = start;
    first->value.len = len;

    return NGX_OK;
}


/* Whether a comma-separated list holds a token, case-insensitively. */

static ngx_uint_t
ngx_http_cors_has_token(ngx_str_t *list, u_char *token, size_t len)
{
    u_char  *p, *end, *start, *last;

    p = list->data;
    end = list->data + list->len;

    while (p < end) {

        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        start = p;

        while (p < end && *p != ',') {
            p++;
        }

        last = p;

        while (last > start && (last[-1] == ' ' || last[-1] == '\t')) {
            last--;
        }

        if ((size_t) (last - start) == len
            && ngx_strncasecmp(start, token, len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static void
ngx_http_cors_cleanup_ctx(void *data)
{
    /* the context lives in the request pool: nothing to free */
}


static ngx_int_t
ngx_http_cors_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    const char           *s;
    ngx_http_cors_ctx_t  *ctx;

    ctx = ngx_http_cors_get_ctx(r->main);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = data ? cors_reason_str(ctx->reason) : cors_decision_str(ctx->decision);

    v->data = (u_char *) s;
    v->len = ngx_strlen(s);
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static char *
ngx_http_cors_policy(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_cors_loc_conf_t *clcf = conf;

    u_char                      *buf;
    off_t                        size;
    ssize_t                      n;
    ngx_str_t                   *value, file;
    ngx_uint_t                   i;
    ngx_file_t                   f;
    cors_result                  rc;
    cors_policy                 *policy;
    cors_diagnostics            *diags;
    ngx_file_info_t              fi;
    ngx_pool_cleanup_t          *cln;
    ngx_http_cors_policy_t     **pp, *cp;
    ngx_http_cors_main_conf_t   *cmcf;

    if (clcf->policy != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    file = value[1];

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* one policy per file and configuration */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_cors_module);

    pp = cmcf->policies.elts;
    for (i = 0; i < cmcf->policies.nelts; i++) {
        if (pp[i]->file.len == file.len
            && ngx_strncmp(pp[i]->file.data, file.data, file.len) == 0)
        {
            clcf->policy = pp[i];
            return NGX_CONF_OK;
        }
    }

    ngx_memzero(&f, sizeof(ngx_file_t));
    f.name = file;
    f.log = cf->log;

    f.fd = ngx_open_file(file.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (f.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%s\" failed", file.data);
        return NGX_CONF_ERROR;
    }

    if (ngx_fd_info(f.fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%s\" failed", file.data);
        goto failed;
    }

    size = ngx_file_size(&fi);

    buf = ngx_pnalloc(cf->temp_pool, size ? size : 1);
    if (buf == NULL) {
        goto failed;
    }

    n = ngx_read_file(&f, buf, size, 0);
    if (n == NGX_ERROR) {
        goto failed;
    }

    if (n != size) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           ngx_read_file_n " \"%s\" returned only %z bytes "
                           "instead of %O", file.data, n, size);
        goto failed;
    }

    if (ngx_close_file(f.fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%s\" failed", file.data);
    }

    f.fd = NGX_INVALID_FILE;

    /* the cleanup first, so that a policy is never left behind */

    cln = ngx_pool_cleanup_add(cf->pool, sizeof(ngx_http_cors_policy_t));
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    cp = cln->data;
    cp->file = file;
    cp->policy = NULL;
    cln->handler = ngx_http_cors_cleanup_policy;

    policy = NULL;
    diags = NULL;

    if (size >= CORS_TABLE_MAGIC_LEN
        && ngx_memcmp(buf, CORS_TABLE_MAGIC, CORS_TABLE_MAGIC_LEN) == 0)
    {

        rc = cors_policy_load(buf, size, &policy);

        if (rc != CORS_RESULT_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid cors table \"%s\": %s",
                               file.data, cors_result_str(rc));
            return NGX_CONF_ERROR;
        }

    } else {

        rc = cors_policy_compile((const char *) buf, size,
                                 (const char *) file.data, &policy, &diags);

        ngx_http_cors_log_diagnostics(cf, diags, &file);
        cors_diagnostics_free(diags);

        if (rc != CORS_RESULT_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "cannot compile cors policy \"%s\": %s",
                               file.data, cors_result_str(rc));
            return NGX_CONF_ERROR;
        }
    }

    /* the cleanup frees it, whatever follows */
    cp->policy = policy;

    if (cors_policy_count(policy) == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cors policy \"%s\" defines no policy: "
                           "\"cors on\" would let every request pass "
                           "unchecked", file.data);
        return NGX_CONF_ERROR;
    }


    pp = ngx_array_push(&cmcf->policies);
    if (pp == NULL) {
        return NGX_CONF_ERROR;
    }

    *pp = cp;
    clcf->policy = cp;

    return NGX_CONF_OK;

failed:

    if (f.fd != NGX_INVALID_FILE
        && ngx_close_file(f.fd) == NGX_FILE_ERROR)
    {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%s\" failed", file.data);
    }

    return NGX_CONF_ERROR;
}


/*
 * One log line per diagnostic (file:line:col: error[CORS...]: ...), each at
 * its own level, read where the severity is written (never from the
 * message, which may quote the policy): errors at "emerg" (they fail the
 * configuration), warnings at "warn". A line that is neither (a
 * continuation) takes the level of the line before it.
 */

/* corsc's warning for a method that is not upper case (`methods patch`) */
#define NGX_HTTP_CORS_LOWER_METHOD  "warning[CORS0052]"

static void
ngx_http_cors_log_diagnostics(ngx_conf_t *cf, cors_diagnostics *diags,
    ngx_str_t *file)
{
    u_char      *line, *p, *last;
    ngx_str_t    text;
    ngx_uint_t   level;

    line = (u_char *) cors_diagnostics_text(diags);
    level = NGX_LOG_EMERG;

    while (line && *line) {
        last = (u_char *) ngx_strchr(line, '\n');
        if (last == NULL) {
            last = line + ngx_strlen(line);
        }

        p = line;
        line = *last ? last + 1 : last;

        if (last == p) {
            continue;
        }

        text.data = p;
        text.len = last - p;

        /* the severity follows "FILE:LINE:COL: " (or "FILE: ") */

        if ((size_t) (last - p) > file->len
            && ngx_strncmp(p, file->data, file->len) == 0)
        {
            p += file->len;

            while (p < last && (*p == ':' || (*p >= '0' && *p <= '9'))) {
                p++;
            }

            while (p < last && *p == ' ') {
                p++;
            }

            if ((size_t) (last - p) >= sizeof("warning") - 1
                && ngx_strncmp(p, "warning", sizeof("warning") - 1) == 0)
            {
                level = NGX_LOG_WARN;

            } else if ((size_t) (last - p) >= sizeof("error") - 1
                       && ngx_strncmp(p, "error", sizeof("error") - 1) == 0)
            {
                level = NGX_LOG_EMERG;
            }
        }

        ngx_conf_log_error(level, cf, 0, "%V", &text);

        if ((size_t) (last - p) >= sizeof(NGX_HTTP_CORS_LOWER_METHOD) - 1
            && ngx_strncmp(p, NGX_HTTP_CORS_LOWER_METHOD,
                           sizeof(NGX_HTTP_CORS_LOWER_METHOD) - 1) == 0)
        {
            /* the browser suite found it: the preflight passes, then the
             * request itself never reaches the module */
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "nginx answers a request whose method is not "
                               "upper case with 400 Bad Request before any "
                               "module runs: a browser can pass the preflight "
                               "for such a method, then its request fails");
        }
    }
}


static void
ngx_http_cors_cleanup_policy(void *data)
{
    ngx_http_cors_policy_t  *cp = data;

    cors_policy_free(cp->policy);
    cp->policy = NULL;
}


static ngx_int_t
ngx_http_cors_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_cors_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static void *
ngx_http_cors_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_cors_main_conf_t  *cmcf;

    cmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_cors_main_conf_t));
    if (cmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&cmcf->policies, cf->pool, 4,
                       sizeof(ngx_http_cors_policy_t *))
        != NGX_OK)
    {
        return NULL;
    }

    return cmcf;
}


static void *
ngx_http_cors_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_cors_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_cors_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->policy = NGX_CONF_UNSET_PTR;
    conf->mode = NGX_CONF_UNSET_UINT;
    conf->upstream_headers = NGX_CONF_UNSET_UINT;

    return conf;
}


static char *
ngx_http_cors_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_cors_loc_conf_t *prev = parent;
    ngx_http_cors_loc_conf_t *conf = child;

    ngx_http_cors_main_conf_t  *cmcf;

    ngx_conf_merge_ptr_value(conf->policy, prev->policy, NULL);
    ngx_conf_merge_uint_value(conf->mode, prev->mode, NGX_HTTP_CORS_OFF);

    /* once per configuration: every location below would say the same */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_cors_module);

    if (conf->mode != NGX_HTTP_CORS_OFF && conf->policy == NULL
        && !cmcf->warned)
    {
        cmcf->warned = 1;
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "\"cors %s\" without a \"cors_policy\" in effect: "
                           "CORS is not enforced there",
                           conf->mode == NGX_HTTP_CORS_ON ? "on"
                                                          : "report-only");
    }
    ngx_conf_merge_uint_value(conf->upstream_headers, prev->upstream_headers,
                              NGX_HTTP_CORS_UPSTREAM_STRIP);

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_cors_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    /*
     * The preaccess phase: after the location rewrite phase and the jump
     * back to find the location after "rewrite ... last", so the URI and
     * location are final; before the access phase, so auth_basic and
     * auth_request never see a preflight.
     */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_cors_handler;

    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_cors_header_filter;

    return NGX_OK;
}
