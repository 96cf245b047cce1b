/*  zp_security: CURVE on tcp sockets. See zp_security.h. */
#include "zp_security_internal.h"
#include "zp_control.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The key that may be one node. */
typedef struct {
    const char *name; /* borrowed from the config, which outlives us */
    char key[ZP_KEY_TEXT + 1];
} s_node_key_t;

struct zp_security_s {
    zcert_t *server; /* public key always; secret key when this process binds */
    zcert_t *client;
    bool auth;           /* counts as a user of the process's authenticator */
    s_node_key_t *nodes; /* workers, then routers (processes that bind) */
    size_t n_nodes;
};

/* One authenticator per process (zauth binds the ZAP endpoint of the
   context), shared by every zp_security_t and counted. */
static pthread_mutex_t s_auth_lock = PTHREAD_MUTEX_INITIALIZER;
static zactor_t *s_auth;
static char s_allowed[4096];
static int s_auth_users;

static bool s_has_secret (zcert_t *cert)
{
    const char *secret = zcert_secret_txt (cert);
    for (const char *p = secret; p && *p; p++)
        if (*p != '0')
            return true;
    return false;
}

static zcert_t *s_load (const char *path, const char *key, bool secret, char *err, size_t errlen)
{
    struct stat st;
    if (stat (path, &st) != 0) {
        snprintf (err, errlen, "%s: cannot read %s: %s", key, path, strerror (errno));
        return NULL;
    }
    zcert_t *cert = zcert_load (path);
    if (!cert) {
        snprintf (err, errlen, "%s: %s is not a certificate (make one with 'zpregel keygen')", key,
                  path);
        return NULL;
    }
    if (secret && !s_has_secret (cert)) {
        snprintf (err, errlen, "%s: %s_secret is missing: this process needs the secret key", key,
                  path);
        zcert_destroy (&cert);
    }
    return cert;
}

/* The key of every node: its own `key:`, or the job's client_cert. */
static int s_node_keys (zp_security_t *self, const zp_config_t *cfg, char *err, size_t errlen)
{
    self->nodes = calloc (cfg->n_workers + cfg->n_routers + 1, sizeof *self->nodes);
    if (!self->nodes) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < cfg->n_workers + cfg->n_routers; i++) {
        bool router = i >= cfg->n_workers;
        size_t k = router ? i - cfg->n_workers : i;
        const zp_worker_config_t *node = router ? &cfg->routers[k] : &cfg->workers[k];
        const char *key = zcert_public_txt (self->client);
        zcert_t *cert = NULL;
        if (node->key) {
            char what[64];
            snprintf (what, sizeof what, "%s[%zu].key", router ? "routers" : "workers", k);
            if (!(cert = s_load (node->key, what, false, err, errlen)))
                return -1;
            key = zcert_public_txt (cert);
        }
        s_node_key_t *nk = &self->nodes[self->n_nodes++];
        nk->name = node->name;
        snprintf (nk->key, sizeof nk->key, "%s", key);
        zcert_destroy (&cert);
    }
    return 0;
}

const char *zp_security_node_key (const zp_security_t *self, const char *name)
{
    for (size_t i = 0; self && i < self->n_nodes; i++)
        if (streq (self->nodes[i].name, name))
            return self->nodes[i].key;
    return NULL;
}

const char *zp_security_own_key (const zp_security_t *self)
{
    return self ? zcert_public_txt (self->client) : NULL;
}

int zp_security_open (const zp_config_t *cfg, bool binds, zp_security_t **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    if (cfg->curve != 1)
        return 0;
    if (!zsys_has_curve ()) {
        snprintf (err, errlen, "security.curve: this libzmq was built without CURVE (libsodium)");
        return -1;
    }
    zp_security_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    self->server = s_load (cfg->server_cert, "security.server_cert", binds, err, errlen);
    self->client =
        self->server ? s_load (cfg->client_cert, "security.client_cert", true, err, errlen) : NULL;
    if (self->client && !binds) { /* a client only: no one to admit */
        *out = self;
        return 0;
    }
    struct stat st;
    if (self->client && (!cfg->allowed || stat (cfg->allowed, &st) != 0 || !S_ISDIR (st.st_mode))) {
        snprintf (err, errlen, "security.allowed: %s is not a directory of public certificates",
                  cfg->allowed ? cfg->allowed : "(not set)");
        zcert_destroy (&self->client);
    }
    if (!self->client || s_node_keys (self, cfg, err, errlen) != 0) {
        zp_security_destroy (&self);
        return -1;
    }
    int rc = 0;
    pthread_mutex_lock (&s_auth_lock);
    if (s_auth_users && strcmp (s_allowed, cfg->allowed) != 0) {
        snprintf (err, errlen, "security.allowed: %s, while another job in this process allows %s",
                  cfg->allowed, s_allowed);
        rc = -1;
    } else if (!s_auth_users) {
        s_auth = zactor_new (zauth, NULL);
        if (s_auth && zstr_sendx (s_auth, "CURVE", cfg->allowed, NULL) == 0 &&
            zsock_wait (s_auth) == 0)
            snprintf (s_allowed, sizeof s_allowed, "%s", cfg->allowed);
        else {
            zactor_destroy (&s_auth);
            snprintf (err, errlen, "cannot start the CURVE authenticator");
            rc = -1;
        }
    }
    if (rc == 0) {
        s_auth_users++;
        self->auth = true;
    }
    pthread_mutex_unlock (&s_auth_lock);
    if (rc != 0) {
        zp_security_destroy (&self);
        return -1;
    }
    *out = self;
    return 0;
}

void zp_security_destroy (zp_security_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_security_t *self = *self_p;
    if (self->auth) {
        pthread_mutex_lock (&s_auth_lock);
        if (--s_auth_users == 0)
            zactor_destroy (&s_auth);
        pthread_mutex_unlock (&s_auth_lock);
    }
    zcert_destroy (&self->server);
    zcert_destroy (&self->client);
    free (self->nodes);
    free (self);
    *self_p = NULL;
}

void zp_security_server (const zp_security_t *self, zsock_t *sock)
{
    if (!self)
        return;
    zcert_apply (self->server, sock);
    zsock_set_curve_server (sock, 1);
}

void zp_security_client (const zp_security_t *self, zsock_t *sock)
{
    if (!self)
        return;
    zcert_apply (self->client, sock);
    zsock_set_curve_serverkey (sock, zcert_public_txt (self->server));
}

/* Creates `path` empty with `mode`, refusing one that exists, even as a
   symlink: a secret is never written through a link or into a file that
   others could already read. */
static int s_create_new (const char *path, mode_t mode, char *err, size_t errlen)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        snprintf (err, errlen, "%s: %s", path,
                  errno == EEXIST ? "exists already: remove it first, keygen never overwrites a key"
                                  : strerror (errno));
        return -1;
    }
    fchmod (fd, mode); /* whatever the umask */
    close (fd);
    return 0;
}

int zp_security_keygen (const char *path, char *err, size_t errlen)
{
    char secret[4096];
    snprintf (secret, sizeof secret, "%s_secret", path);
    if (s_create_new (secret, 0600, err, errlen) != 0)
        return -1;
    if (s_create_new (path, 0644, err, errlen) != 0) {
        unlink (secret);
        return -1;
    }
    zcert_t *cert = zcert_new ();
    if (!cert) {
        snprintf (err, errlen, "cannot make a certificate (no CURVE support in libzmq?)");
        unlink (secret);
        unlink (path);
        return -1;
    }
    zcert_set_meta (cert, "created-by", "zpregel keygen");
    int rc = zcert_save (cert, path);
    zcert_destroy (&cert);
    if (rc != 0) {
        snprintf (err, errlen, "cannot write %s and %s_secret: %s", path, path, strerror (errno));
        return -1;
    }
    return 0;
}
