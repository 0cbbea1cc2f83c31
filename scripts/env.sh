# Source me: puts the repo's Node 24 and pnpm first on PATH.
_tributary_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_tributary_root/.tools/node_modules/.bin:$_tributary_root/node_modules/.bin:$PATH"
unset _tributary_root
