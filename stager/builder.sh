# Wharf's staging builder: follows a plan written by the stager
# (stager/staging_plan.h) inside the staging container. It decides nothing.
#
# Usage: bash -c "$BUILDER" wharf-builder PLAN_FILE OUTPUT_DIR
# Plan lines, fields separated by tabs, none empty:
#   branch N                          starts branch N
#   detect CODE NAME STDOUT ARGV...   first in a branch: the branch runs only if ARGV exits 0
#   run CODE LABEL STDOUT ARGV...     runs ARGV; STDOUT "-" means the log; a failure exits CODE
#   unless PATH                       skips the next run line when PATH exists
#   say TEXT                          prints TEXT
#   fail CODE TEXT                    prints TEXT on stderr and exits CODE
# Writes OUTPUT_DIR/chosen with the number of the branch that ran; exits 222
# when no branch's detect says yes.
set -u
plan=$1
out=$2
mapfile -t lines < "$plan"
n=${#lines[@]}

run_argv() {  # STDOUT ARGV...
  local dest=$1
  shift
  if [ "$dest" = "-" ]; then
    "$@" < /dev/null
  else
    "$@" < /dev/null > "$dest"
  fi
}

chosen=-1
first=-1
i=0
while [ "$i" -lt "$n" ]; do
  IFS=$'\t' read -r -a f <<< "${lines[$i]}"
  if [ "${f[0]}" = "branch" ]; then
    j=$((i + 1))
    IFS=$'\t' read -r -a g <<< "${lines[$j]:-}"
    if [ "${g[0]:-}" = "detect" ]; then
      if run_argv "${g[3]}" "${g[@]:4}"; then
        detected=""
        read -r detected < "${g[3]}" 2> /dev/null || true
        echo "-----> Detected ${g[2]}${detected:+ ($detected)}"
        chosen=${f[1]}
        first=$((j + 1))
        break
      fi
    else
      chosen=${f[1]}
      first=$j
      break
    fi
  fi
  i=$((i + 1))
done

if [ "$chosen" = "-1" ]; then
  echo "None of the buildpacks detected a compatible application" >&2
  exit 222
fi
echo "$chosen" > "$out/chosen"

i=$first
skip=false
while [ "$i" -lt "$n" ]; do
  IFS=$'\t' read -r -a f <<< "${lines[$i]}"
  case "${f[0]}" in
    branch) break ;;
    unless) [ -e "${f[1]}" ] && skip=true ;;
    say) echo "${f[1]}" ;;
    fail)
      echo "${f[2]}" >&2
      exit "${f[1]}"
      ;;
    run)
      if [ "$skip" = true ]; then
        skip=false
        i=$((i + 1))
        continue
      fi
      run_argv "${f[3]}" "${f[@]:4}"
      rc=$?
      if [ "$rc" -ne 0 ]; then
        echo "Failed: ${f[2]} exited with status $rc" >&2
        exit "${f[1]}"
      fi
      ;;
  esac
  i=$((i + 1))
done
exit 0
