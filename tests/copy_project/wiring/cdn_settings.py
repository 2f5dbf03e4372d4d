# --8<-- [start:settings]
# Where purges go: your Varnish, whose VCL's acl "purgers" lets this server in.
SHARED_CACHE_PURGE_URL = "http://127.0.0.1:6081/"
# --8<-- [end:settings]
