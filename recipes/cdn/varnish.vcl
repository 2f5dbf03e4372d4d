# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
# Varnish 7.1 with vmod-xkey (Debian: varnish, varnish-modules), in front of the API.
# Anything this file does not decide falls through to Varnish's built-in VCL: only GET and
# HEAD are looked up, a request with a Cookie or an Authorization header is passed to the
# backend, and a response that says private, no-store or sets a cookie is never stored.
vcl 4.1;

import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the API's own servers.
acl purgers {
    "127.0.0.1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-softpurge) {
            set req.http.n-gone = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        }
        return (synth(200, "Purged " + req.http.n-gone));
    }
}

sub vcl_deliver {
    # The keys are for Varnish alone: clients never see which tables a page read.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
