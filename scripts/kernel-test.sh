#!/bin/bash
# make kernel-test: the model against a real kernel.
#
# For every scenario under engine/tests/ with `define` blocks:
#   klpscope kmod SCENARIO DIR      (C, Kbuild, run.sh)
#   make -C HEADERS M=DIR modules   (fails on any compiler warning)
# then boots Debian's kernel under QEMU (TCG, or KT_ACCEL=kvm) once per
# scenario, with a busybox initramfs holding the modules,
# kmod and bash, runs run.sh there, and `klpscope check`s what it printed.
#
# Needs root once, for Debian's packages: qemu-system-x86, busybox-static, cpio,
# kmod, linux-headers-amd64 (or linux-headers-6.12.*-amd64, below); the kernel
# image package (linux-image-VERSION, matching the headers) is downloaded with
# apt-get download and its /boot unpacked under target/kernel-test/, and
# booted from there. No other download (but linux-source with KT_CATALOG=1,
# below).
#
# Environment: KT_KERNEL 6.1|6.12, the kernel series to run (default 6.1,
# Debian 12's first kernel). For 6.12 the script installs the newest
# linux-headers-6.12.*-amd64 apt offers (Debian 12 has it in bookworm-security;
# where no source has it, it adds bookworm-backports to apt's sources first);
# that package depends on its kernel image, so apt installs that too. The
# headers of the requested series are used, whatever else is installed, and
# `klpscope check` runs under that series (--kernel 6.1 or 6.12).
# KT_SETTLE tenths of a second that run.sh waits for a transition to finish
# after a command (its KLP_SETTLE, default 20: about one retry of the
# transition work; a slow or busy host may need more, but then a transition
# that stalls long reaches its 15th retry, which signals the remaining
# tasks, in fewer commands than the model counts).
# KT_TIMEOUT seconds per boot (default 300), KT_ONLY a substring of the
# scenarios' paths under engine/tests/ (links/readable-define) to run,
# KT_ACCEL tcg|kvm. Each scenario's logs: target/kernel-test/scenarios/PATH/.
# KT_CATALOG=1 also runs the scenarios without define blocks (the selftest
# transcripts and the derived scenarios) with the kernel's own selftest
# modules, built from the distribution's linux-source-X.Y package (fetched
# with apt-get download, only its livepatch test modules unpacked).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/kernel-test
TIMEOUT=${KT_TIMEOUT:-300}
ONLY=${KT_ONLY:-}
START=$(date +%s)
KERNEL_SERIES=${KT_KERNEL:-6.1}
case "$KERNEL_SERIES" in
6.1 | 6.12) ;;
*)
	echo "kernel-test: KT_KERNEL is 6.1 or 6.12, not $KERNEL_SERIES" >&2
	exit 2
	;;
esac

say() { echo "==> $*"; }

need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
command -v kmod >/dev/null || need_pkgs+=(kmod)
command -v cpio >/dev/null || need_pkgs+=(cpio)
# The headers of the requested series, newest first: linux-headers-6.1.0-57-amd64,
# linux-headers-6.12.118+deb12-amd64, linux-headers-6.12.12+bpo-amd64 (not the
# -cloud-amd64 or -rt-amd64 flavours).
SERIES_RE="${KERNEL_SERIES%%.*}\\.${KERNEL_SERIES#*.}"'\.[0-9]+(-[0-9]+|\+[a-z0-9]+)-amd64'
headers_for_series() {
	find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' | grep -E "/linux-headers-$SERIES_RE\$" | sort -V -r || true
}
if [ -z "$(headers_for_series)" ]; then
	case "$KERNEL_SERIES" in
	6.1) need_pkgs+=(linux-headers-amd64) ;;
	6.12)
		# Debian 12 carries 6.12 (linux-headers-6.12.*+deb12-amd64) in
		# bookworm-security; before that, only in bookworm-backports.
		newest_headers() {
			apt-cache search --names-only "^linux-headers-$SERIES_RE\$" | cut -d' ' -f1 | sort -V | tail -n 1
		}
		apt-get update -q
		pkg=$(newest_headers)
		if [ -z "$pkg" ] && ! grep -qs '^[^#]*bookworm-backports' /etc/apt/sources.list \
			/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
			say "adding bookworm-backports to apt's sources"
			echo "deb http://deb.debian.org/debian bookworm-backports main" \
				>/etc/apt/sources.list.d/bookworm-backports.list
			apt-get update -q
			pkg=$(newest_headers)
		fi
		[ -n "$pkg" ] || {
			echo "kernel-test: no linux-headers-$KERNEL_SERIES.*-amd64 in apt's sources" >&2
			exit 2
		}
		# From backports, its dependencies (linux-base >= 4.12) come from there too.
		from=()
		if ! apt-cache policy "$pkg" | grep -q ' 500 '; then from=(-t bookworm-backports); fi
		# The headers depend on their image: apt installs that too.
		say "installing $pkg ${from[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${from[@]+"${from[@]}"} "$pkg"
		;;
	esac
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
	say "installing ${need_pkgs[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}"
fi
file /bin/busybox 2>/dev/null | grep -q 'dynamically' && {
	echo "kernel-test: /bin/busybox must be the static one (busybox-static)" >&2
	exit 2
}

HEADERS=$(headers_for_series | head -n 1)
[ -n "$HEADERS" ] || {
	echo "kernel-test: no linux-headers-$KERNEL_SERIES.*-amd64 under /usr/src" >&2
	exit 2
}
KVER=${HEADERS#/usr/src/linux-headers-}
# The series the model follows: 6.1.0-57-amd64 -> 6.1, 6.12.118+deb12-amd64 -> 6.12.
series=$(echo "$KVER" | cut -d. -f1,2)
mkdir -p "$OUT"
IMG=$OUT/linux-image-$KVER
if [ ! -e "$IMG/boot/vmlinuz-$KVER" ]; then
	say "fetching linux-image-$KVER (unpacked under $IMG, not installed)"
	rm -rf "$IMG" "$OUT"/linux-image-*.deb
	(cd "$OUT" && apt-get download "linux-image-$KVER")
	# Only /boot (the kernel and its config): the modules are not needed.
	mkdir -p "$IMG"
	dpkg-deb --fsys-tarfile "$OUT"/linux-image-"$KVER"_*.deb | tar -x -C "$IMG" ./boot
	rm -f "$OUT"/linux-image-"$KVER"_*.deb
fi
grep -q '^CONFIG_LIVEPATCH=y' "$IMG/boot/config-$KVER" || {
	echo "kernel-test: $KVER has no CONFIG_LIVEPATCH" >&2
	exit 2
}

say "building klpscope"
cargo build -q -p klpscope-engine --features cli
# Where that build went (a CARGO_TARGET_DIR in the environment moves it).
KLP=${CARGO_TARGET_DIR:-$ROOT/target}/debug/klpscope

# TCG by default: it needs nothing from the host. KT_ACCEL=kvm is faster
# where KVM works (nested KVM often does not).
ACCEL=${KT_ACCEL:-tcg}

# The files that every initramfs holds: busybox, kmod, bash and their
# libraries.
BASE=$OUT/base
rm -rf "$BASE"
mkdir -p "$BASE"/{bin,sbin,proc,sys,dev,tmp,lib64,lib/x86_64-linux-gnu,run/klp}
cp /bin/busybox "$BASE/bin/busybox"
for t in sh mount umount dmesg sleep cat grep sed tail wc mktemp id rm ln mkdir dd head \
	printf echo poweroff sync ls dirname basename cut tr date uname; do
	ln -sf busybox "$BASE/bin/$t"
done
cp "$(command -v kmod)" "$BASE/bin/kmod"
for t in insmod rmmod modprobe lsmod; do ln -sf ../bin/kmod "$BASE/sbin/$t"; done
cp /bin/bash "$BASE/bin/bash"
# procps's sysctl: its messages are the ones the selftest harness logs.
if [ -x /usr/sbin/sysctl ]; then cp /usr/sbin/sysctl "$BASE/sbin/sysctl"; fi
for lib in $(ldd "$(command -v kmod)" /bin/bash | awk '/=>/ {print $3} /ld-linux/ {print $1}' | sort -u); do
	cp -L "$lib" "$BASE$lib"
done

cat >"$BASE/init" <<'EOF'
#!/bin/sh
export PATH=/sbin:/bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev 2>/dev/null
mount -t debugfs none /sys/kernel/debug
mount -t tmpfs none /tmp
# run.sh prints on the second serial port: the first is the kernel's
# console, which also shows what a livepatch that raises console_loglevel
# (test_klp_state) makes the kernel print.
exec >/dev/ttyS1 2>&1
echo "klpscope-kernel-test: kernel $(cat /proc/sys/kernel/osrelease)"
echo "klpscope-kernel-test: begin"
# KT_SETTLE, when set, is run.sh's KLP_SETTLE.
[ -e /run/klp/settle ] && KLP_SETTLE=$(cat /run/klp/settle) && export KLP_SETTLE
KO_DIR=/run/klp /bin/bash /run/klp/run.sh
echo "klpscope-kernel-test: end rc=$?"
sync
poweroff -f
EOF
chmod +x "$BASE/init"
if [ -n "${KT_SETTLE:-}" ]; then
	case "$KT_SETTLE" in *[!0-9]*)
		echo "kernel-test: KT_SETTLE is tenths of a second, not $KT_SETTLE" >&2
		exit 2
		;;
	esac
	echo "$KT_SETTLE" >"$BASE/run/klp/settle"
fi

mapfile -t SCENARIOS < <(grep -rl '^define ' engine/tests --include='*.txt' | sort)

# The kernel's selftest modules, for the catalog scenarios (KT_CATALOG=1).
SELF=$OUT/test_modules-$KVER
if [ -n "${KT_CATALOG:-}" ]; then
	if [ ! -e "$SELF/.built" ]; then
		say "building the selftest modules from linux-source-$series"
		rm -rf "$SELF" "$OUT/linux-source"
		mkdir -p "$SELF" "$OUT/linux-source"
		(cd "$OUT/linux-source" && apt-get download "linux-source-$series")
		dpkg-deb --fsys-tarfile "$OUT"/linux-source/linux-source-"$series"_*.deb |
			tar -x -C "$OUT/linux-source" "./usr/src/linux-source-$series.tar.xz"
		# v6.9 moved them from lib/livepatch to the selftests.
		tar -xJf "$OUT/linux-source/usr/src/linux-source-$series.tar.xz" -C "$OUT/linux-source" \
			--wildcards "linux-source-$series/lib/livepatch/test_klp_*.c" \
			"linux-source-$series/tools/testing/selftests/livepatch/test_modules/test_klp_*.c" \
			"linux-source-$series/tools/testing/selftests/livepatch/test_klp-call_getpid.c" 2>/dev/null || true
		find "$OUT/linux-source" -name 'test_klp_*.c' -exec cp {} "$SELF/" \;
		# test-syscall.sh's user-space helper (v6.6 on), static: the
		# initramfs has no C library.
		getpid=$(find "$OUT/linux-source" -name 'test_klp-call_getpid.c' | head -n 1)
		if [ -n "$getpid" ]; then
			gcc -static -O2 -o "$SELF/test_klp-call_getpid" "$getpid" || exit 2
		fi
		rm -rf "$OUT/linux-source"
		ls "$SELF"/test_klp_*.c >/dev/null || { echo "kernel-test: no selftest modules in linux-source-$series" >&2; exit 2; }
		for c in "$SELF"/test_klp_*.c; do echo "obj-m += $(basename "$c" .c).o"; done >"$SELF/Kbuild"
		make -s -C "$HEADERS" M="$SELF" modules >"$SELF/build.log" 2>&1 || { cat "$SELF/build.log"; exit 2; }
		touch "$SELF/.built"
	fi
	mapfile -t -O "${#SCENARIOS[@]}" SCENARIOS < <(grep -L '^define ' engine/tests/transcripts/*.txt engine/tests/scenarios/*.txt | sort)
fi
pass=0
fail=0
failed=()
skipped=()
for sc in "${SCENARIOS[@]}"; do
	# The path under engine/tests/: links/ and scenarios/ share file names.
	name=${sc#engine/tests/}
	name=${name%.txt}
	case "$name" in *"$ONLY"*) ;; *) continue ;; esac
	# A scenario written for another profile (seed-v1, an unmerged
	# proposal) describes a kernel that is not this one.
	if grep -qE '^# semantics: *[a-z]' "$sc" && ! grep -qE '^# semantics: *upstream *$' "$sc"; then
		say "$name: skipped ($(grep -m1 -E '^# semantics:' "$sc" | sed 's/^# //'))"
		skipped+=("$name")
		continue
	fi
	dir=$OUT/scenarios/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	say "$name: klpscope kmod"
	"$KLP" kmod "$sc" "$dir/src" >/dev/null
	say "$name: building against $HEADERS"
	if ls "$dir/src"/*.c >/dev/null 2>&1 &&
		{ ! make -s -C "$HEADERS" M="$dir/src" modules >"$dir/build.log" 2>&1 ||
			grep -qi 'warning' "$dir/build.log"; }; then
		cat "$dir/build.log"
		echo "kernel-test: $name: the generated modules do not build cleanly" >&2
		fail=$((fail + 1))
		failed+=("$name (build)")
		continue
	fi
	rm -rf "$dir/root"
	cp -a "$BASE" "$dir/root"
	cp "$dir/src/run.sh" "$dir/root/run/klp/"
	if ls "$dir/src"/*.ko >/dev/null 2>&1; then cp "$dir/src"/*.ko "$dir/root/run/klp/"; fi
	if [ -e "$SELF/.built" ]; then
		# insmod test_modules/X.ko finds them beside run.sh; modprobe X (as
		# the v5.1 selftests load them) in /lib/modules.
		mkdir -p "$dir/root/run/klp/test_modules" "$dir/root/lib/modules/$KVER/extra"
		cp "$SELF"/*.ko "$dir/root/run/klp/test_modules/"
		cp "$SELF"/*.ko "$dir/root/lib/modules/$KVER/extra/"
		depmod -b "$dir/root" "$KVER" 2>/dev/null
		if [ -e "$SELF/test_klp-call_getpid" ]; then cp "$SELF/test_klp-call_getpid" "$dir/root/run/klp/"; fi
	fi
	(cd "$dir/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/initramfs.gz"
	say "$name: booting $KVER ($ACCEL, timeout ${TIMEOUT}s)"
	t0=$(date +%s)
	timeout "$TIMEOUT" qemu-system-x86_64 -machine "accel=$ACCEL" -m 512 -smp 2 \
		-kernel "$IMG/boot/vmlinuz-$KVER" -initrd "$dir/initramfs.gz" \
		-append "console=ttyS0 loglevel=1 panic=-1 oops=panic" \
		-nographic -no-reboot -serial "file:$dir/console.log" -serial "file:$dir/serial.log" -monitor none \
		</dev/null >/dev/null 2>"$dir/qemu.log" || true
	t1=$(date +%s)
	tr -d '\r' <"$dir/serial.log" |
		sed -n '/^klpscope-kernel-test: begin$/,/^klpscope-kernel-test: end/p' |
		sed -e '1d' -e '$d' >"$dir/real.txt"
	if ! grep -q '^klpscope-kernel-test: end rc=0' <(tr -d '\r' <"$dir/serial.log"); then
		tail -n 30 "$dir/serial.log"
		echo "kernel-test: $name: run.sh did not finish on the kernel" >&2
		fail=$((fail + 1))
		failed+=("$name (run)")
		continue
	fi
	say "$name: ran in $((t1 - t0))s; klpscope check --kernel $series"
	if "$KLP" check --kernel "$series" "$dir/real.txt"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed+=("$name (differs)")
	fi
done
echo "kernel $KVER, $ACCEL, $(($(date +%s) - START))s in all; logs under $OUT/scenarios/"
for f in "${failed[@]+"${failed[@]}"}"; do echo "failed: $f"; done
echo "kernel-test: $pass passed, $fail failed, ${#skipped[@]} skipped (other semantics profiles)"
[ "$fail" = 0 ]
