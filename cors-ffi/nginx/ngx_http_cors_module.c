
/*
 * ngx_http_cors_module: CORS answered by a corsc policy through cors_eval().
 *
 *     cors_policy  /etc/nginx/api.corspolicy;   # source or compiled table
 *     cors         on;                          # off | on | report-only
 *
 * A policy is read once per configuration: source is compiled in-process
 * (errors fail the configuration test with file:line:col diagnostics), a
 * compiled table (magic "CORSTBL\0") is validated and loaded. It is freed by
 * a cleanup of the configuration's pool, so a reload frees the old policy
 * with the old cycle.
 *
 * Each main request is evaluated once, in the rewrite phase (before the
 * rewrite module's "return" and before any content handler or proxy): a
 * preflight is answered there with the outcome's status and an empty body;
 * other requests go on, and the header filter adds the outcome's headers to
 * whatever response is sent, error pages included. "report-only" evaluates,
 * logs and sets $cors_decision and $cors_reason, and changes nothing.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <cors.h>


#define NGX_HTTP_CORS_OFF     0
#define NGX_HTTP_CORS_ON      1
#define NGX_HTTP_CORS_REPORT  2


/* One loaded policy, shared by every location naming the same file. */
typedef struct {
    ngx_str_t                   file;
    cors_policy                *policy;
} ngx_http_cors_policy_t;


typedef struct {
    ngx_array_t                 policies;   /* of ngx_http_cors_policy_t * */
} ngx_http_cors_main_conf_t;


typedef struct {
    ngx_http_cors_policy_t     *policy;
    ngx_uint_t                  mode;
} ngx_http_cors_loc_conf_t;


/*
 * The outcome of one request, copied into the request pool: a cors_outcome
 * borrows from the policy and from the request headers.
 */
typedef struct {
    ngx_uint_t                  mode;
    ngx_uint_t                  answered;   /* a preflight, by the module */
    cors_decision               decision;
    cors_reason                 reason;
    ngx_uint_t                  status;
    ngx_str_t                   policy;
    ngx_uint_t                  nheaders;
    ngx_table_elt_t             headers[CORS_MAX_HEADERS];
} ngx_http_cors_ctx_t;


static ngx_int_t ngx_http_cors_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_cors_header_filter(ngx_http_request_t *r);
static ngx_uint_t ngx_http_cors_has_conflict(ngx_http_request_t *r);
static ngx_http_cors_ctx_t *ngx_http_cors_get_ctx(ngx_http_request_t *r);
static ngx_http_cors_ctx_t *ngx_http_cors_evaluate(ngx_http_request_t *r,
    ngx_http_cors_loc_conf_t *clcf);
static ngx_int_t ngx_http_cors_join_header(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_str_t *value, ngx_uint_t *present);
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
} ngx_http_cors_name_t;


static ngx_http_cors_name_t  ngx_http_cors_names[] = {
    { ngx_string("Access-Control-Allow-Origin"),
      "access-control-allow-origin" },
    { ngx_string("Access-Control-Allow-Credentials"),
      "access-control-allow-credentials" },
    { ngx_string("Access-Control-Allow-Methods"),
      "access-control-allow-methods" },
    { ngx_string("Access-Control-Allow-Headers"),
      "access-control-allow-headers" },
    { ngx_string("Access-Control-Max-Age"),
      "access-control-max-age" },
    { ngx_string("Access-Control-Allow-Private-Network"),
      "access-control-allow-private-network" },
    { ngx_string("Access-Control-Expose-Headers"),
      "access-control-expose-headers" },
    { ngx_string("Vary"), "vary" }
};


#define NGX_HTTP_CORS_NAMES                                                  \
    (sizeof(ngx_http_cors_names) / sizeof(ngx_http_cors_name_t))


static ngx_int_t
ngx_http_cors_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_http_cors_ctx_t       *ctx;
    ngx_http_cors_loc_conf_t  *clcf;

    if (r != r->main) {
        return NGX_DECLINED;
    }

    if (ngx_http_cors_get_ctx(r) != NULL) {
        /* evaluated already: a rewrite "last" or an internal redirect */
        return NGX_DECLINED;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_cors_module);

    if (clcf->mode == NGX_HTTP_CORS_OFF || clcf->policy == NULL) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_cors_evaluate(r, clcf);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->mode != NGX_HTTP_CORS_ON
        || (ctx->decision != CORS_DECISION_PREFLIGHT_ALLOWED
            && ctx->decision != CORS_DECISION_PREFLIGHT_DENIED))
    {
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

    return ngx_http_send_header(r);
}


static ngx_int_t
ngx_http_cors_header_filter(ngx_http_request_t *r)
{
    ngx_uint_t                 i;
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

    ctx = ngx_http_cors_get_ctx(r);

    if (ctx == NULL) {
        /*
         * not evaluated in the rewrite phase: a response sent before it,
         * such as a 400 or a server-level "return"
         */

        clcf = ngx_http_get_module_loc_conf(r, ngx_http_cors_module);

        if (clcf->mode == NGX_HTTP_CORS_OFF || clcf->policy == NULL) {
            return ngx_http_next_header_filter(r);
        }

        ctx = ngx_http_cors_evaluate(r, clcf);
        if (ctx == NULL) {
            return NGX_ERROR;
        }
    }

    if (ctx->mode != NGX_HTTP_CORS_ON) {
        return ngx_http_next_header_filter(r);
    }

    if ((ctx->decision == CORS_DECISION_PREFLIGHT_ALLOWED
         || ctx->decision == CORS_DECISION_PREFLIGHT_DENIED)
        && !ctx->answered)
    {
        /*
         * a preflight answered by someone else, before the rewrite phase
         * (a server-level "return", a 400): its headers do not belong here
         */
        return ngx_http_next_header_filter(r);
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

    if (!ngx_http_cors_has_conflict(r)) {

        /* the usual case: no Vary and no CORS header yet */

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


/* Whether the response has a Vary or an Access-Control-* header already. */

static ngx_uint_t
ngx_http_cors_has_conflict(ngx_http_request_t *r)
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

        if (h[i].hash == 0) {
            continue;
        }

        if (h[i].key.len == sizeof("Vary") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Vary",
                               sizeof("Vary") - 1) == 0)
        {
            return 1;
        }

        if (h[i].key.len > sizeof("Access-Control-") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Access-Control-",
                               sizeof("Access-Control-") - 1) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * The context of the main request. An internal redirect (error_page,
 * try_files) clears r->ctx; the pool cleanup that owns the context keeps it
 * reachable, as the realip module does.
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
    size_t                i;
    ngx_str_t             origin, method, headers, pna, *val;
    ngx_uint_t            j, k, n, next, level, has_origin, has_method,
                          has_headers, has_pna, *present;
    const char           *lname;
    cors_result           rc;
    cors_outcome          out;
    cors_request          req;
    ngx_list_part_t      *part;
    ngx_table_elt_t      *h, *hdr;
    ngx_pool_cleanup_t   *cln;
    ngx_http_cors_ctx_t  *ctx;
    ngx_http_cors_name_t *name;

    ngx_str_null(&origin);
    ngx_str_null(&method);
    ngx_str_null(&headers);
    ngx_str_null(&pna);
    has_origin = 0;
    has_method = 0;
    has_headers = 0;
    has_pna = 0;

    /*
     * Repeated header lines are joined with ",": for the requested headers
     * that is their meaning, and a joined Origin or requested method is
     * malformed, which is the answer a repeated one deserves.
     */

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

        /* the lengths differ: one comparison of the lower-cased name */

        switch (h[i].key.len) {

        case sizeof("origin") - 1:
            lname = "origin";
            val = &origin;
            present = &has_origin;
            break;

        case sizeof("access-control-request-method") - 1:
            lname = "access-control-request-method";
            val = &method;
            present = &has_method;
            break;

        case sizeof("access-control-request-headers") - 1:
            lname = "access-control-request-headers";
            val = &headers;
            present = &has_headers;
            break;

        case sizeof("access-control-request-private-network") - 1:
            lname = "access-control-request-private-network";
            val = &pna;
            present = &has_pna;
            break;

        default:
            continue;
        }

        if (ngx_strncmp(h[i].lowcase_key, lname, h[i].key.len) != 0) {
            continue;
        }

        if (ngx_http_cors_join_header(r, &h[i], val, present) != NGX_OK) {
            return NULL;
        }
    }

    ngx_memzero(&req, sizeof(cors_request));

    /* cors_bytes: a NULL pointer is an absent header, never a C string */

    req.method.ptr = r->method_name.data;
    req.method.len = r->method_name.len;

    /* the normalized (decoded, dot segments merged) URI, without the args */
    req.path.ptr = r->uri.data;
    req.path.len = r->uri.len;

    if (has_origin) {
        req.origin.ptr = origin.data ? origin.data : (u_char *) "";
        req.origin.len = origin.len;
    }

    if (has_method) {
        req.request_method.ptr = method.data ? method.data : (u_char *) "";
        req.request_method.len = method.len;
    }

    if (has_headers) {
        req.request_headers.ptr = headers.data ? headers.data : (u_char *) "";
        req.request_headers.len = headers.len;
    }

    req.private_network = (has_pna && pna.len == 4
                           && ngx_strncasecmp(pna.data, (u_char *) "true", 4)
                              == 0);

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

    ctx->mode = clcf->mode;
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

    ngx_log_error(level, r->connection->log, 0,
                  "cors%s: %s%s%s, policy \"%V\", origin \"%V\"",
                  clcf->mode == NGX_HTTP_CORS_REPORT ? " report-only" : "",
                  cors_decision_str(ctx->decision),
                  ctx->reason == CORS_REASON_NONE ? "" : " ",
                  cors_reason_str(ctx->reason), &ctx->policy, &origin);

    return ctx;
}


static ngx_int_t
ngx_http_cors_join_header(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_str_t *value, ngx_uint_t *present)
{
    u_char  *p;

    if (!*present) {
        *present = 1;
        *value = h->value;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, value->len + 1 + h->value.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    value->data = ngx_cpymem(p, value->data, value->len);
    *value->data++ = ',';
    ngx_memcpy(value->data, h->value.data, h->value.len);

    value->len += 1 + h->value.len;
    value->data = p;

    return NGX_OK;
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

    u_char                      *buf, *line, *p, *last;
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

    if (size >= 8 && ngx_memcmp(buf, "CORSTBL\0", 8) == 0) {

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

        /* one log line per diagnostic: file:line:col: error[CORS...]: ... */

        line = (u_char *) cors_diagnostics_text(diags);

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

            ngx_conf_log_error(rc == CORS_RESULT_OK ? NGX_LOG_WARN
                                                    : NGX_LOG_EMERG,
                               cf, 0, "%*s", (size_t) (last - p), p);
        }

        cors_diagnostics_free(diags);

        if (rc != CORS_RESULT_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "cannot compile cors policy \"%s\": %s",
                               file.data, cors_result_str(rc));
            return NGX_CONF_ERROR;
        }
    }

    cp->policy = policy;

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

    return conf;
}


static char *
ngx_http_cors_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_cors_loc_conf_t *prev = parent;
    ngx_http_cors_loc_conf_t *conf = child;

    ngx_conf_merge_ptr_value(conf->policy, prev->policy, NULL);
    ngx_conf_merge_uint_value(conf->mode, prev->mode, NGX_HTTP_CORS_OFF);

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_cors_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    /*
     * Handlers of a phase run in the reverse order of registration: a
     * module loaded with load_module registers after the rewrite module,
     * so its handler runs before "return" and "rewrite".
     */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_cors_handler;

    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_cors_header_filter;

    return NGX_OK;
}
