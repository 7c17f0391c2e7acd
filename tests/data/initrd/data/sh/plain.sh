echo "no #! line, run by sh itself: $1"
