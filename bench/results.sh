# Sourced by bench/run.sh and bench/soak.sh.
# The next free bench/results/<date>-<name>.md: a later run the same day gets -2, -3, ... so earlier runs are kept.
next_result() {
  local base out i=2
  base="bench/results/$(date -u +%Y-%m-%d)-$1"
  out="$base.md"
  while [ -e "$out" ]; do out="$base-$i.md"; i=$((i + 1)); done
  echo "$out"
}
