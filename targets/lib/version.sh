#!/usr/bin/env bash
# Print the version of the software a recipe runs (for reports): lib/version.sh RECIPE
case ${1%-naive} in
    nginx | nginx-cache) nginx -v 2>&1 | sed 's/^nginx version: //' ;;
    haproxy) haproxy -v | head -1 | awk '{print "HAProxy " $3}' ;;
    caddy) echo "Caddy $(caddy version | awk '{print $1}')" ;;
    apache) /usr/sbin/apache2 -v | sed -n 's/^Server version: //p' ;;
    trafficserver) traffic_server --version 2>/dev/null | head -1 | awk '{print "Apache Traffic Server " $3}' ;;
    varnish) echo "$(varnishd -V 2>&1 | head -1 | sed 's/^varnishd (\([^ ]*\) .*/Varnish Cache \1/'), $(hitch --version 2>&1 | head -1)" ;;
    lighttpd) lighttpd -v | head -1 | awk '{print $1}' ;;
    squid) squid -v | head -1 | sed 's/.*Version /Squid /' ;;
    h2o) h2o --version | head -1 ;;
    *) echo unknown ;;
esac
