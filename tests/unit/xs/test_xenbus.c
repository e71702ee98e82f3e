/* SPDX-License-Identifier: MIT */
/*
 * The xenbus helpers both state machines use (xs/xenbus.h), against a
 * real libxst server: the strict key readers, the state switch with its
 * transition table, the owner's disconnect and the keys written with the
 * state, the fatal-error path and the other end's pointer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xs/xenbus.h"
#include "xs/xs.h"
#include "xsd.h"

#define DIR "/local/domain/0/backend/vif/5/0"

static struct xsd *xsd;
static struct xvm_xs *xs;

static void put(const char *key, const char *val)
{
    char p[256];

    snprintf(p, sizeof(p), DIR "/%s", key);
    if (val)
        CHECK_EQ(xvm_xs_write_str(xs, XVM_XS_NO_TX, p, val), 0);
    else
        xvm_xs_rm(xs, XVM_XS_NO_TX, p);
}

static bool is(const char *path, const char *want)
{
    char *v = NULL;
    bool ok = xvm_xs_read(xs, XVM_XS_NO_TX, path, &v, NULL) == 0 &&
              strcmp(v, want) == 0;

    free(v);
    return ok;
}

/* The strict scan: only a plain decimal within the bound. */
static void test_read_uint_strict(void)
{
    static const struct {
        const char *s;
        int r;
    } bad[] = {
        {"", -EINVAL},      {"-1", -EINVAL},   {"12x", -EINVAL},
        {" 1", -EINVAL},    {"1 ", -EINVAL},   {"+1", -EINVAL},
        {"01", -EINVAL},    {"0x1", -EINVAL},  {"1\n", -EINVAL},
        {"18446744073709551616", -ERANGE},     {"99999999999999999999", -ERANGE},
        {"101", -ERANGE},   {"4294967296", -ERANGE},
    };
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 7;
        put("k", bad[i].s);
        CHECK_EQ(xvm_xs_read_key_uint(xs, DIR, "k", 100, &v), bad[i].r);
        CHECK_EQ(v, 7); /* untouched */
    }
    put("k", "100");
    CHECK_EQ(xvm_xs_read_key_uint(xs, DIR, "k", 100, &v), 0);
    CHECK_EQ(v, 100);
    put("k", "0");
    CHECK_EQ(xvm_xs_read_key_uint(xs, DIR, "k", 0, &v), 0);
    CHECK_EQ(v, 0);
    put("k", "18446744073709551615");
    CHECK_EQ(xvm_xs_read_key_uint(xs, DIR, "k", UINT64_MAX, &v), 0);
    CHECK(v == UINT64_MAX);
    CHECK_EQ(xvm_xs_write(xs, XVM_XS_NO_TX, DIR "/k", "1\0", 2), 0);
    CHECK_EQ(xvm_xs_read_key_uint(xs, DIR, "k", 100, &v), -EINVAL);
    put("k", NULL);
    CHECK_EQ(xvm_xs_read_key_uint(xs, DIR, "k", 100, &v), -ENOENT);
}

static void test_read_bool_str(void)
{
    static const char *const bad_bools[] = {"2", "01", "yes", "", "-0"};
    char s[8];
    bool on = false;
    unsigned i;

    put("b", NULL);
    CHECK_EQ(xvm_xs_read_key_bool(xs, DIR, "b", true, &on), 0);
    CHECK(on);
    put("b", "0");
    CHECK_EQ(xvm_xs_read_key_bool(xs, DIR, "b", true, &on), 0);
    CHECK(!on);
    for (i = 0; i < sizeof(bad_bools) / sizeof(bad_bools[0]); i++) {
        put("b", bad_bools[i]);
        CHECK_EQ(xvm_xs_read_key_bool(xs, DIR, "b", false, &on), -EINVAL);
    }
    put("s", "abcdefg");
    CHECK_EQ(xvm_xs_read_key_str(xs, DIR, "s", s, sizeof(s)), 0);
    CHECK(strcmp(s, "abcdefg") == 0);
    put("s", "abcdefgh"); /* one too long */
    CHECK_EQ(xvm_xs_read_key_str(xs, DIR, "s", s, sizeof(s)), -EINVAL);
    put("s", "");
    CHECK_EQ(xvm_xs_read_key_str(xs, DIR, "s", s, sizeof(s)), -EINVAL);
    CHECK_EQ(xvm_xs_write(xs, XVM_XS_NO_TX, DIR "/s", "a\0b", 3), 0);
    CHECK_EQ(xvm_xs_read_key_str(xs, DIR, "s", s, sizeof(s)), -EINVAL);
}

static void test_read_state_and_paths(void)
{
    enum xenbus_state st = XenbusStateClosed;
    char buf[128];

    put("state", NULL);
    CHECK_EQ(xvm_xs_read_state(xs, DIR, &st), 0);
    CHECK_EQ(st, XenbusStateUnknown);
    put("state", "4");
    CHECK_EQ(xvm_xs_read_state(xs, DIR, &st), 0);
    CHECK_EQ(st, XenbusStateConnected);
    put("state", "9");
    CHECK_EQ(xvm_xs_read_state(xs, DIR, &st), -EINVAL);
    put("state", "4x");
    CHECK_EQ(xvm_xs_read_state(xs, DIR, &st), -EINVAL);
    CHECK_EQ(xvm_xs_key_path(buf, sizeof(buf), "/a", "b"), 0);
    CHECK(strcmp(buf, "/a/b") == 0);
    CHECK_EQ(xvm_xs_key_path(buf, 4, "/a", "b"), -ENAMETOOLONG);
    CHECK_EQ(xvm_xs_error_dir(buf, sizeof(buf), DIR), 0);
    CHECK(strcmp(buf, "/local/domain/0/error/backend/vif/5/0") == 0);
    CHECK_EQ(xvm_xs_error_dir(buf, sizeof(buf), "/vm/x"), 0);
    CHECK(strcmp(buf, "error/vm/x") == 0);
}

struct owner {
    int disconnects;
    int keys_calls;
    int keys_ret;
};

static void owner_disconnect(void *arg)
{
    ((struct owner *)arg)->disconnects++;
}

static int owner_keys(void *arg, uint32_t tx)
{
    struct owner *o = arg;

    o->keys_calls++;
    if (o->keys_ret < 0)
        return o->keys_ret;
    return xvm_xs_write_key(xs, tx, DIR, "ring-ref", "%d", 42);
}

static const uint16_t allowed[XenbusStateReconfigured + 1] = {
    [XenbusStateInitialising] = 1u << XenbusStateConnected,
    [XenbusStateConnected] = 1u << XenbusStateClosing,
    [XenbusStateClosing] = 1u << XenbusStateClosed,
    [XenbusStateClosed] = 1u << XenbusStateInitialising,
};

static void test_dev_switch(void)
{
    struct xvm_xs_dev dev;
    struct owner o = {0, 0, 0};

    CHECK_EQ(xvm_xs_dev_init(&dev, xs, "relative", allowed,
                             XenbusStateInitialising, owner_disconnect, &o),
             -EINVAL);
    CHECK_EQ(xvm_xs_dev_init(&dev, xs, DIR "/", allowed,
                             XenbusStateInitialising, owner_disconnect, &o),
             -EINVAL);
    CHECK_EQ(xvm_xs_dev_init(&dev, xs, DIR, allowed, XenbusStateInitialising,
                             owner_disconnect, &o),
             0);
    put("state", NULL);
    put("ring-ref", NULL);
    /* Not in the table: refused, nothing written. */
    CHECK_EQ(xvm_xs_dev_switch(&dev, XenbusStateClosed, NULL, NULL), -EINVAL);
    CHECK_EQ(dev.state, XenbusStateInitialising);
    CHECK(!is(DIR "/state", "6"));
    /* Keys that fail: no state, no keys. */
    o.keys_ret = -E2BIG;
    CHECK_EQ(xvm_xs_dev_switch(&dev, XenbusStateConnected, owner_keys, &o),
             -E2BIG);
    CHECK_EQ(dev.state, XenbusStateInitialising);
    CHECK(!is(DIR "/ring-ref", "42"));
    /* Keys and state together. */
    o.keys_ret = 0;
    CHECK_EQ(xvm_xs_dev_switch(&dev, XenbusStateConnected, owner_keys, &o),
             0);
    CHECK_EQ(dev.state, XenbusStateConnected);
    CHECK(is(DIR "/state", "4"));
    CHECK(is(DIR "/ring-ref", "42"));
    /* The same state again writes nothing and calls nothing. */
    CHECK_EQ(xvm_xs_dev_switch(&dev, XenbusStateConnected, owner_keys, &o),
             0);
    CHECK_EQ(o.keys_calls, 2);
    /* Leaving Connected while live disconnects the owner, once. */
    dev.live = true;
    CHECK_EQ(xvm_xs_dev_fatal(&dev, -ENOMEM, "out of %s", "luck"), 0);
    CHECK_EQ(o.disconnects, 1);
    CHECK(!dev.live);
    CHECK_EQ(dev.state, XenbusStateClosing);
    CHECK(is(DIR "/state", "5"));
    CHECK(is("/local/domain/0/error/backend/vif/5/0/error", "12 out of luck"));
    CHECK_EQ(xvm_xs_dev_switch(&dev, XenbusStateClosed, NULL, NULL), 0);
    CHECK_EQ(o.disconnects, 1);
    CHECK(is(DIR "/state", "6"));
}

static void test_dev_otherend(void)
{
    static const struct {
        const char *id, *path;
        int r;
    } cases[] = {
        {"5", "/local/domain/5/device/vif/0", 0},
        {"5", "/local/domain/6/device/vif/0", -EINVAL},
        {"5", "/local/domain/55/device/vif/0", -EINVAL},
        {"5", "/local/domain/5/device/vif/0/", -EINVAL},
        {"5", "/local/domain/5/", -EINVAL},
        {"32752", "/local/domain/32752/x", -EINVAL}, /* DOMID_FIRST_RESERVED */
        {"-5", "/local/domain/5/device/vif/0", -EINVAL},
        {"5", NULL, -ENOENT},
        {NULL, "/local/domain/5/device/vif/0", -ENOENT},
    };
    struct xvm_xs_dev dev;
    struct owner o = {0, 0, 0};
    unsigned i;

    CHECK_EQ(xvm_xs_dev_init(&dev, xs, DIR, allowed, XenbusStateInitialising,
                             owner_disconnect, &o),
             0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        put("frontend-id", cases[i].id);
        put("frontend", cases[i].path);
        CHECK_EQ(xvm_xs_dev_otherend(&dev, "frontend", "frontend-id"),
                 cases[i].r);
        if (cases[i].r == 0) {
            CHECK_EQ(dev.otherend_id, 5);
            CHECK(strcmp(dev.otherend, cases[i].path) == 0);
        } else {
            CHECK(dev.otherend[0] == '\0');
        }
        dev.otherend[0] = '\0';
    }
}

int main(void)
{
    xsd = xsd_start();
    if (!xsd)
        return 1;
    xs = xvm_xs_open(xsd_path(xsd));
    CHECK(xs != NULL);
    if (xs) {
        RUN(test_read_uint_strict);
        RUN(test_read_bool_str);
        RUN(test_read_state_and_paths);
        RUN(test_dev_switch);
        RUN(test_dev_otherend);
        xvm_xs_close(xs);
    }
    xsd_stop(xsd);
    return check_summary();
}
