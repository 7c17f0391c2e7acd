# The shell language, non-interactive. Run by tests/tools/test_sh_host.py
# on Linux and by tests/qemu/test_user_shell.py on SECoS: both compare the
# output (stderr merged) with lang.out.
echo "pipeline: $(echo c b a | tr ' ' '\n' | sort | tr '\n' ' ')"
echo one > /tmp/lang.$$
echo two >> /tmp/lang.$$
cat < /tmp/lang.$$
wc -l < /tmp/lang.$$
cat /nonexistent 2> /tmp/lang.err.$$; echo "cat status $?"
test -s /tmp/lang.err.$$ && echo "stderr went to the file"
(echo out; echo err >&2) 2>&1 >/dev/null | cat
nosuchcmd 2>&1 | cat
true && echo and-ok; false || echo or-ok; false && echo never
! false && echo negated
x=value; echo "dq $x" 'sq $x' \$x ${x}s
y="a  b   c"; echo $y; echo "$y"
echo ${unset:-default} ${#x} "[$unset]"
r=$(echo inner $(echo nested)); echo "$r" `echo back`
sh -c 'exit 3'; echo "child status $?"
cd /tmp && pwd
cd /; pwd
export EXPORTED=yes; sh -c 'echo exported=$EXPORTED'
NOTEXP=no; sh -c 'echo "notexported=[$NOTEXP]"'
PREFIX=just-this sh -c 'echo prefix=$PREFIX'; echo "after=[$PREFIX]"
echo a | cat | cat | cat | cat | cat | cat | cat | tr a z
echo "multi
line"
printf '#!/bin/sh\necho "script $0 $1 $#"\nexit 5\n' > /tmp/s.$$
chmod +x /tmp/s.$$
/tmp/s.$$ arg1 arg2 | sed "s/$$/PID/"; /tmp/s.$$ > /dev/null; echo "script status $?"
rm -f /tmp/lang.$$ /tmp/lang.err.$$ /tmp/s.$$
echo done
