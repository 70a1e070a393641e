#!/usr/bin/env bash
# A time-bounded security scan of the portal with wapiti and sqlmap, on 127.0.0.1 only.
#
#   deploy/security-scan/run.sh
#
# 1. Installs sqlmap and wapiti with apt when missing.
# 2. Makes a throwaway instance folder and SQLite database under /tmp (never the repo's
#    instance/), runs `portal init` and `portal demo-data` against it, and serves it with
#    gunicorn on a free 127.0.0.1 port, sign-in rate limits off. Stopped at the end (trap).
# 3. Signs in through the real sign-in form (sign_in.py: CSRF token, password, TOTP code
#    from the demo account's key) as an officer and two participants.
# 4. wapiti over the public pages, a participant's pages and an officer's pages (through
#    wapiti_run.py, which fixes two faults of Debian's wapiti 3.0.4), while sqlmap tries a
#    few parameterised endpoints (GET filters and two POST forms) in the background.
# 5. Prints a summary (summarise.py); exits 1 when wapiti reports anything of medium
#    severity or above or sqlmap finds an injection, 2 when a scan did not complete.
#
# Reports: /tmp/security-scan/ (SCAN_OUT to change). The whole run takes at most about 15
# minutes; each budget below (seconds) can be changed through the environment.
# Other settings: KEEP_SCAN_DB=1 keeps the throwaway database; SCAN_WORKERS (gunicorn
# workers, default 2). At most two scanners (one wapiti, one sqlmap, each single-threaded)
# run at once.
set -Eeuo pipefail

# wapiti: seconds of crawling, seconds per attack module (12 modules, 9 of them active), and
# a hard limit for the whole scan (a report is still written from what it stored).
: "${WAPITI_PUBLIC_CRAWL:=30}" "${WAPITI_PUBLIC_ATTACK:=18}" "${WAPITI_PUBLIC_LIMIT:=200}"
: "${WAPITI_PARTICIPANT_CRAWL:=45}" "${WAPITI_PARTICIPANT_ATTACK:=22}"
: "${WAPITI_PARTICIPANT_LIMIT:=240}"
: "${WAPITI_OFFICER_CRAWL:=120}" "${WAPITI_OFFICER_ATTACK:=35}" "${WAPITI_OFFICER_LIMIT:=420}"
: "${SQLMAP_LIMIT:=480}" "${SQLMAP_TOTAL:=660}" # seconds per endpoint, and for all of them
: "${SCAN_WORKERS:=2}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${SCAN_OUT:-/tmp/security-scan}
PY="$REPO/.venv/bin/python"
started=$(date +%s)

say() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

[[ -x $PY ]] || { echo "No venv at $REPO/.venv: run 'make setup' first." >&2; exit 2; }

# 1. The scanners ---------------------------------------------------------------------------
missing=()
command -v sqlmap >/dev/null || missing+=(sqlmap)
command -v wapiti >/dev/null || missing+=(wapiti)
if ((${#missing[@]})); then
  say "Installing ${missing[*]} with apt"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get install -y "${missing[@]}" ||
    { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y "${missing[@]}"; }
fi
echo "sqlmap $(sqlmap --version 2>/dev/null | head -1), $(wapiti --version 2>/dev/null | grep -o 'Wapiti-[0-9.]*' | head -1)"

# 2. A throwaway portal ---------------------------------------------------------------------
mkdir -p "$OUT"
rm -rf "$OUT/wapiti" "$OUT/sqlmap" "$OUT"/wapiti-*.json "$OUT"/server*.log "$OUT/setup.log" \
  "$OUT/summary.txt"
WORK=$(mktemp -d /tmp/security-scan-app.XXXXXX)
server_pid=""
sqlmap_pid=""
current_pid=""

# Runs a command under `timeout` in the background and waits, so Ctrl+C stops it at once.
bounded() { # seconds, then the command
  local limit=$1 rc=0
  shift
  timeout --kill-after=10 "$limit" "$@" &
  current_pid=$!
  wait "$current_pid" || rc=$?
  current_pid=""
  return "$rc"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM ERR
  if [[ -n $current_pid ]]; then kill -TERM "$current_pid" 2>/dev/null || true; fi
  if [[ -n $sqlmap_pid ]] && kill -0 "$sqlmap_pid" 2>/dev/null; then
    kill -STOP "$sqlmap_pid" 2>/dev/null || true # so it starts no further sqlmap
    pkill -TERM -P "$sqlmap_pid" 2>/dev/null || true # its `timeout`, which stops sqlmap
    kill -TERM "$sqlmap_pid" 2>/dev/null || true
    kill -CONT "$sqlmap_pid" 2>/dev/null || true
  fi
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  if [[ ${KEEP_SCAN_DB:-} == 1 ]]; then
    echo "Kept the scanned database in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "run.sh: failed at line $LINENO" >&2; exit 2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# Nothing from the developer's shell or instance/config.py: only these settings.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(PORTAL_.*|DATABASE_URL)$' || true)
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export PORTAL_INSTANCE_PATH="$WORK/instance"
export DATABASE_URL="sqlite:///$WORK/instance/portal.sqlite3"
export PORTAL_DATABASE_URL="$DATABASE_URL"
export PORTAL_SECRET_KEY
PORTAL_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')
export PORTAL_ENVIRONMENT=development # demo-data refuses production; plain-http cookies
export PORTAL_BASE_URL="$BASE"
export PORTAL_RATELIMIT_ENABLED=false # Flask-Limiter's switch: scanners are not throttled
export PORTAL_SESSION_IDLE_MINUTES=120 # the signed-in scans outlast the 30-minute default
mkdir -p "$PORTAL_INSTANCE_PATH"
cd "$REPO"

say "Loading the demo into $WORK"
"$REPO/.venv/bin/flask" --app wsgi portal init >"$OUT/setup.log" 2>&1
"$REPO/.venv/bin/flask" --app wsgi portal demo-data >>"$OUT/setup.log" 2>&1 ||
  { tail -20 "$OUT/setup.log" >&2; exit 2; }

say "Serving on $BASE"
"$REPO/.venv/bin/gunicorn" --workers "$SCAN_WORKERS" --bind "127.0.0.1:$PORT" --timeout 120 \
  --no-control-socket --access-logfile "$OUT/server-access.log" wsgi:app \
  >"$OUT/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 60); do
  curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$OUT/server.log" >&2; exit 2; }
  sleep 0.5
done
curl -fsS -o /dev/null "$BASE/healthz" || { echo "The portal did not start" >&2; exit 2; }

# 3. Sessions -------------------------------------------------------------------------------
say "Signing in through the sign-in form"
COOKIES="$WORK/cookies"
mkdir -m 700 "$COOKIES"
sign_in() { "$PY" "$HERE/sign_in.py" --base-url "$BASE" "$@"; }
sign_in --email officer@demo.example.org \
  --cookie-header "$COOKIES/officer.txt" --wapiti-cookie "$COOKIES/officer.json"
# Priya has a place in a cohort: her pages (my cohort, one-to-one, case study) are scanned.
sign_in --email owner@bakery.example.org --wapiti-cookie "$COOKIES/participant.json"
# Peter has not registered: start an application so its question pages can be posted to.
sign_in --email director@engineering.example.org --cookie-header "$COOKIES/applicant.txt" \
  --submit /register/ /register/start >/dev/null

# 4. sqlmap in the background, one endpoint after another ---------------------------------
sqlmap_one() { # name, then sqlmap arguments
  local name=$1 dir="$OUT/sqlmap/$1" rc=0 left
  shift
  mkdir -p "$dir"
  local shown=("${@/#--cookie=*/--cookie=portal_session=...}") # not the session itself
  printf '%s\n' "${shown[*]}" >"$dir/command.txt"
  left=$((sqlmap_deadline - $(date +%s)))
  ((left < SQLMAP_LIMIT)) || left=$SQLMAP_LIMIT
  if ((left < 10)); then
    echo "not run: the sqlmap time budget (SQLMAP_TOTAL) was used up" >"$dir/sqlmap.log"
    echo 124 >"$dir/exit-status"
    return
  fi
  timeout --kill-after=10 "$left" sqlmap --batch --level 2 --risk 1 --dbms=SQLite \
    --time-sec=2 --timeout=30 --retries=1 --threads=1 --flush-session --disable-coloring \
    --output-dir="$dir" "$@" >"$dir/sqlmap.log" 2>&1 </dev/null || rc=$?
  echo "$rc" >"$dir/exit-status"
}
run_sqlmap() { # the quick ones first; the applicant list (slowest page) gets what is left
  local officer applicant
  officer=$(<"$COOKIES/officer.txt")
  applicant=$(<"$COOKIES/applicant.txt")
  sqlmap_deadline=$(($(date +%s) + SQLMAP_TOTAL))
  # Outcomes dashboard: a round and an as-at date.
  sqlmap_one outcomes-dashboard --cookie="$officer" \
    -u "$BASE/outcomes/?round=2&as_at=2022-02-28" -p "round,as_at"
  # Records behind a figure: the figure name is in the path, as_at in the query string.
  sqlmap_one outcomes-records --cookie="$officer" \
    -u "$BASE/outcomes/2/records/participants?as_at=2022-02-28" -p "as_at"
  # Public feedback form (POST, CSRF token fetched fresh for each request).
  sqlmap_one feedback-form -u "$BASE/feedback?from_path=/privacy" \
    --data="csrf_token=x&rating=satisfied&comments=Clearer+wording" \
    -p "comments,rating,from_path" --csrf-token=csrf_token --csrf-url="$BASE/feedback"
  # A registration question (POST), as a signed-in participant with a draft application.
  sqlmap_one registration-question --cookie="$applicant" \
    -u "$BASE/register/question/business" \
    --data="csrf_token=x&business_name=Acme+Widgets&company_number=01234567" \
    -p "business_name,company_number" --csrf-token=csrf_token \
    --csrf-url="$BASE/register/question/business"
  # Officers' applicant list: a GET form of filters (search is free text; the rest are lists).
  sqlmap_one applicants-list --cookie="$officer" \
    -u "$BASE/applicants/?round=3&search=smith&status=submitted&sort=newest&page=1" \
    -p "search,status,sort,round"
}
say "sqlmap: starting in the background"
run_sqlmap &
sqlmap_pid=$!

# 5. wapiti, one scan after another -------------------------------------------------------
MODULES="common,-ssrf,crlf,csrf" # ssrf needs wapiti's Internet callback server: left out
wapiti_scan() { # name, crawl seconds, attack seconds, hard limit, then wapiti arguments
  local name=$1 crawl=$2 attack=$3 limit=$4 rc=0
  shift 4
  local dir="$OUT/wapiti/$name"
  mkdir -p "$dir/config"
  # An empty technology database, so wapiti does not fetch one from GitHub (module wapp,
  # not used here, loads it anyway).
  echo '{}' >"$dir/config/apps.json"
  say "wapiti: $name (crawl ${crawl}s, ${attack}s per module, at most ${limit}s)"
  local args=(-u "$BASE/" --scope folder -m "$MODULES" --max-scan-time "$crawl"
    --max-attack-time "$attack" -t 20 --no-bugreport -v 1
    --store-session "$dir/session" --store-config "$dir/config"
    -x "$BASE/sign-out*" "$@" -f json -o "$OUT/wapiti-$name.json")
  bounded "$limit" /usr/bin/python3 "$HERE/wapiti_run.py" "${args[@]}" --flush-session \
    >"$dir/wapiti.log" 2>&1 </dev/null || rc=$?
  echo "$rc" >"$dir/exit-status"
  if [[ ! -s $OUT/wapiti-$name.json ]]; then
    # Stopped at the hard limit: write the report from what its session stored so far.
    echo "wapiti $name stopped (exit $rc): writing the report from its session" |
      tee -a "$dir/wapiti.log"
    /usr/bin/python3 "$HERE/wapiti_run.py" "${args[@]}" --skip-crawl --module=-all \
      >>"$dir/wapiti.log" 2>&1 </dev/null || true
  fi
  grep -E '^(\[\*\] Wapiti found|Max .* reached)' "$dir/wapiti.log" || true
}

wapiti_scan public "$WAPITI_PUBLIC_CRAWL" "$WAPITI_PUBLIC_ATTACK" "$WAPITI_PUBLIC_LIMIT" \
  -s "$BASE/register/" -s "$BASE/stories/" -s "$BASE/sign-in" -s "$BASE/create-account" \
  -s "$BASE/forgot-password" -s "$BASE/feedback?from_path=/privacy" -s "$BASE/healthz"

# Signed-in scans crawl at most 15 addresses a folder (60 applicants' pages are one page
# to an attacker; the time goes to other pages instead) and skip the feedback link every
# page carries (the public scan attacks the form). The participant's skips leaving her cohort and withdrawing (the rest of her pages
# would go); the officer's, running the matching engine (CPU-bound, many seconds a run).
wapiti_scan participant "$WAPITI_PARTICIPANT_CRAWL" "$WAPITI_PARTICIPANT_ATTACK" \
  "$WAPITI_PARTICIPANT_LIMIT" -c "$COOKIES/participant.json" --max-files-per-dir 15 \
  -s "$BASE/account/" -s "$BASE/register/your-registration" -s "$BASE/my-cohort/" \
  -s "$BASE/one-to-one/" -s "$BASE/offers/" -s "$BASE/case-study/" \
  -x "$BASE/my-cohort/leave*" -x "$BASE/register/withdraw*" -x "$BASE/feedback?*"

wapiti_scan officer "$WAPITI_OFFICER_CRAWL" "$WAPITI_OFFICER_ATTACK" "$WAPITI_OFFICER_LIMIT" \
  -c "$COOKIES/officer.json" --max-files-per-dir 15 \
  -s "$BASE/account/" -s "$BASE/applicants/" -s "$BASE/outcomes/" -s "$BASE/cohorts/" \
  -s "$BASE/surveys/" -s "$BASE/board-report/" -s "$BASE/money/" -s "$BASE/case-studies/" \
  -s "$BASE/one-to-one-support/" -s "$BASE/register/on-behalf" \
  -x "$BASE/cohorts/rounds/*/match*" -x "$BASE/feedback?*"

say "Waiting for sqlmap"
current_pid=$sqlmap_pid
wait "$sqlmap_pid" || true
sqlmap_pid="" current_pid=""

# 6. Summary --------------------------------------------------------------------------------
say "Summary"
status=0
"$PY" "$HERE/summarise.py" "$OUT" >"$OUT/summary.txt" || status=$?
cat "$OUT/summary.txt"
echo "Took $(($(date +%s) - started))s. Reports: $OUT"
exit "$status"
