#!/bin/sh
# A short, bounded libFuzzer run of every target on its seed corpus (longer runs by hand, see the
# Makefile's fuzz target). New inputs go to a temp directory; the repo's corpus is read only.
cd "$(dirname "$0")/.." || exit 1
targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | sed 's|tests/fuzz/||; s|\.c$||')
n=$(echo "$targets" | wc -w)
if ! command -v clang >/dev/null 2>&1; then
	echo "1..0 # SKIP clang is not installed"
	exit 0
fi
echo "1..$((n + 1))"
log=$(mktemp)
if make --no-print-directory fuzz >"$log" 2>&1; then
	echo "ok 1 - the fuzz targets build (clang, libFuzzer, ASan)"
else
	echo "not ok 1 - the fuzz targets build"
	sed 's/^/# /' "$log" | tail -20
	rm -f "$log"
	exit 1
fi
i=1
secs=${BO_FUZZ_SECONDS:-4}
for t in $targets; do
	i=$((i + 1))
	tmp=$(mktemp -d)
	name=${t#fuzz_}
	if (cd "$tmp" && "$OLDPWD/build-fuzz/$t" -max_total_time="$secs" -timeout=5 \
	    -rss_limit_mb=1024 "$tmp" "$OLDPWD/tests/fuzz/corpus/$name") >"$log" 2>&1; then
		echo "ok $i - $t: ${secs} s without a crash, leak or timeout"
	else
		echo "not ok $i - $t found a failure"
		grep -E "ERROR|SUMMARY|==|Test unit" "$log" | head -20 | sed 's/^/# /'
		for c in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-*; do
			[ -e "$c" ] && echo "# input (base64): $(base64 -w0 "$c")"
		done
	fi
	rm -rf "$tmp"
done
rm -f "$log"
