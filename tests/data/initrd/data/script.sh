# busybox sh script run by test_busybox.py on SECoS and on the host
echo start
x=$(echo nested)
echo "got $x"
echo one | wc -c
cat /data/fruits.txt | sort | uniq -c | sort -rn | head -3
echo redirected > /tmp/bb_out.txt
cat /tmp/bb_out.txt
wc -l < /data/numbers.txt
(echo sub; echo shell) | tr a-z A-Z
sleep 0 &
wait
echo "status $?"
false || echo "false failed"
for i in 1 2 3; do echo "loop $i"; done
rm /tmp/bb_out.txt
# Whether ash reports "Terminated" before wait returns depends on timing (on
# Linux too): the report goes to stderr, which this subshell drops.
(sleep 5 & kill $!; wait $!; echo "killed: $?") 2>/dev/null
sh -c 'exit 7'
echo "child exit: $?"
echo end
