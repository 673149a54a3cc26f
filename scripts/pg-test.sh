#!/usr/bin/env bash
# Placeholder until the storage backend lands: prints no PostgreSQL URL.
case "${1:-}" in
  start) echo "export PREFECTCORE_TEST_POSTGRES_URL=" ;;
  stop) ;;
esac
