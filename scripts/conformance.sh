#!/usr/bin/env bash
# make conformance: run the scenario suites against
#   - the embedded reference edge and origin (no TARGET);
#   - an external edge with our origin (TARGET=http://HOST:PORT TARGET_HTTPS=https://HOST:PORT), the
#     origin either started by the run (its ports are printed; fine for targets that read them at
#     start) or a standalone `edgeconform origin` the target was configured with
#     (ORIGIN_CONTROL=ADDR);
#   - an edge wired to its own origin, CloudFront included: judged on the viewer side only
#     (VIEWER_ONLY=1; the default for a target that is not on loopback, since no remote edge can
#     reach an origin this run starts). TARGET=https://d123.cloudfront.net alone means both schemes
#     on that host;
#   - a third-party recipe (TARGET=recipe:NAME, see targets/README.md).
# DISTRIBUTION=FILE names the distribution the target implements: the project's YAML, or what
# `edgeconform import` reads (AWS JSON, CloudFormation, Terraform; DOMAIN=d123.cloudfront.net when the
# file does not say). With DISTRIBUTION and no SPECS the suite is derived from it. CA=FILE trusts the
# target's certificate authority, INSECURE=1 skips verification.
set -euo pipefail
bin=$1 specs=$2 target=${3:-} target_https=${4:-}
extra=()
[ -n "${ORIGIN_CONTROL:-}" ] && extra+=(--origin-control "$ORIGIN_CONTROL")
[ -n "${CA:-}" ] && extra+=(--ca "$CA")
[ "${INSECURE:-0}" = 1 ] && extra+=(--insecure)

suites=()
if [ -n "${DISTRIBUTION:-}" ]; then
  dist=$DISTRIBUTION
  case "$dist" in
    *.yaml|*.yml)
      # The project's own format loads as is; a CloudFormation template is imported.
      if grep -qE '^(Resources|AWSTemplateFormatVersion):' "$dist"; then
        mkdir -p reports
        imported=reports/.imported-distribution.yaml
        "$bin" import "$dist" ${DOMAIN:+--domain "$DOMAIN"} -o "$imported"
        dist=$imported
      fi ;;
    *)
      mkdir -p reports
      imported=reports/.imported-distribution.yaml
      "$bin" import "$dist" ${DOMAIN:+--domain "$DOMAIN"} -o "$imported"
      dist=$imported ;;
  esac
  extra+=(--distribution "$dist")
  [ -n "$specs" ] && suites=("$specs")
else
  suites=("${specs:-specs}")
fi

case "$target" in
  "")
    exec "$bin" run "${suites[@]}" "${extra[@]}" ;;
  recipe:*)
    exec "$bin" run "${suites[@]}" --recipe "${target#recipe:}" "${extra[@]}" ;;
  *)
    if [ -z "$target_https" ] && [ "${target#https://}" != "$target" ]; then
      # One host for both schemes, as a CloudFront distribution is.
      target_https=$target
      target="http://${target#https://}"
    fi
    host=${target#*://}; host=${host%%/*}; host=${host%:*}
    case "$host" in
      127.*|localhost|\[::1\]) loopback=1 ;;
      *) loopback=0 ;;
    esac
    if [ "${VIEWER_ONLY:-}" = 1 ] || { [ "$loopback" = 0 ] && [ -z "${ORIGIN_CONTROL:-}" ] && [ "${VIEWER_ONLY:-}" != 0 ]; }; then
      [ "${VIEWER_ONLY:-}" = 1 ] || echo "make conformance: $host is not on loopback: judging the viewer side only (VIEWER_ONLY=0 to start our origin anyway)" >&2
      extra+=(--viewer-only)
    fi
    https=()
    [ -n "$target_https" ] && https=(--target-https "$target_https")
    exec "$bin" run "${suites[@]}" --target "$target" "${https[@]}" "${extra[@]}" ;;
esac
