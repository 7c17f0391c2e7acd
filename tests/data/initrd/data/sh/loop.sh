#!/data/sh/hello.sh
echo never
