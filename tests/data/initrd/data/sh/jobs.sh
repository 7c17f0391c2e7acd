# Background jobs without job control (a script). Compared with jobs.out.
sleep 5 & pid=$!
kill $pid; wait $pid; echo "killed: $?"
sleep 0 & sleep 0 & wait; echo "waited for all"
(exit 4) & wait $!; echo "subshell: $?"
sleep 5 & kill %1; wait %1; echo "job: $?"
kill %9; echo "no such job: $?"
echo $# "$1" "$2"
shift; echo "after shift: $#"
