#!/bin/busybox sh
echo "busybox ran $0: $1"
