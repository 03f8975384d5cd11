// The settings table alone: the server package's index loads Fastify, too slow for --help.
import { settingsHelp } from '@tidyvault/server/settings';

export const MAIN_HELP = `tidyvault — clean messy data without it leaving your control

Usage: tidyvault <command> [options]

Commands:
  clean <input> --recipe <r.json> -o <output>   run a recipe over a file
  profile <input> [--json]                      what is in each column
  cluster <input> --column <c> --method <m>     groups of similar spellings
  duplicates <input> --columns <a,b>            rows that are probably the same record
  sql <recipe.json> [--input <file>]            print the SQL a recipe compiles to
  validate <recipe.json> [--input <file>]       check a recipe (and that it fits a file)
  serve [--host 127.0.0.1] [--port 5177]        the workbench server; prints a one-time login link
  users add|list|disable|enable|reset-password  accounts for 'serve --auth local'
  audit verify [--home <dir>]                   check the server's audit log has not been altered
  secrets new-key|set|set-value|list|delete|rotate-key
                                                data-source connections and server secrets, encrypted at rest

Examples:
  tidyvault clean fixtures/w1/input.csv --recipe fixtures/w1/recipe.json -o clean.csv
  tidyvault profile fixtures/w1/input.csv
  tidyvault cluster fixtures/w1/input.csv --column name --method fingerprint --json
  tidyvault serve

Formats (by extension, or --format): csv, tsv, json (array), ndjson/jsonl, parquet, xlsx.
Exit codes: 0 ok, 1 data or recipe error, 2 usage error (a missing file included).
Run 'tidyvault <command> --help' for a command's options.
`;

export const COMMAND_HELP: Record<string, string> = {
  clean: `Usage: tidyvault clean <input> --recipe <recipe.json> -o <output> [options]

Runs every step of the recipe over the input and writes the result. The whole recipe is
checked against the input's columns first; nothing is written unless every step succeeds.
The output is written to a temporary file beside it and renamed into place, so a failed
run never leaves a partial file, and the output may not be the input.

Options:
  --recipe <file>        the recipe (JSON, version 1)                    (required)
  -o, --output <file>    where to write; format from its extension       (required)
  --format <f>           output format: csv, tsv, json, ndjson, parquet, xlsx
  --input-format <f>     input format when the extension does not say
  --no-formula-guard     do not prefix text cells starting with = + - @ TAB CR NUL with ', nor
                         quote every text value of a csv or tsv (the guard is on by default
                         for csv, tsv and xlsx)
  --ragged extend        rows with extra fields add columns (default: error naming the line;
                         extra fields that are all empty, as trailing delimiters leave, are
                         dropped)
  --sheet <name>         xlsx sheet to read (default: the first)
  --delimiter <c>        CSV delimiter when sniffing picks wrong (e.g. ';' or 'tab')
  --encoding <e>         utf-8, utf-16le, utf-16be or windows-1252 (default: sniffed)
  --header               the CSV's first row is the header (default: sniffed; a first row of
                         numbers over numbers, like 1,2,3 over 4,5,6, is taken for data)
  --no-header            the CSV's first row is data (columns become column_1, …); --header,
                         --no-header, --delimiter and --encoding are refused for other formats
  --memory-limit <size>  DuckDB memory limit, e.g. 8GB (default: half the machine's memory, or of the container's limit when lower)
  --threads <n>          DuckDB threads (default: all cores)
  --spill-dir <folder>   let DuckDB spill to this private (0700) folder when memory runs out;
                         spill files are NOT encrypted (off by default: work must fit in memory)
  --quiet                no progress bar or summary

PostgreSQL (connections from 'tidyvault secrets'; TLS verify-full unless the connection says
disable):
  --from-postgres <name> read from this connection instead of an input file, with one of
    --table <schema.table>   a whole table (unquoted names fold to lower case, as in SQL)
    --query <select …>       a query that only reads: run in a READ ONLY transaction with a
                             5-minute statement timeout; anything that writes is refused
                         every column arrives as PostgreSQL's text for it (see the README)
  --to-postgres <name>   write to this connection instead of -o, into
    --new-table <schema.table>  a NEW table (refused if it exists), columns typed from the
                             recipe: text, double precision, bigint, date; one transaction
  --secrets-key-file <f> the secrets key (default: $TIDYVAULT_SECRETS_KEY_FILE, then
                         $TIDYVAULT_SECRETS_KEY)
  --home <folder>        where secrets.json is (default: $TIDYVAULT_HOME, else ~/.tidyvault)

Examples:
  tidyvault clean fixtures/w1/input.csv --recipe fixtures/w1/recipe.json -o clean.csv
  tidyvault clean data.xlsx --sheet Orders --recipe r.json -o clean.parquet
  tidyvault clean export.csv --recipe r.json -o out.csv --no-formula-guard --quiet
  tidyvault clean --from-postgres pg.sales --table public.customers --recipe r.json -o out.csv
  tidyvault clean in.csv --recipe r.json --to-postgres pg.sales --new-table public.customers_clean
`,
  profile: `Usage: tidyvault profile <input> [--json] [options]

Counts, per column: nulls, blanks, distinct values, length range, the most frequent values
and the type most values look like.

Options:
  --json                 print {"rows","columns":[{"name","nulls","blanks","distinct",
                         "minLength","maxLength","topValues":[{"value","count"}],"inferredType"}]}
  --top <n>              how many frequent values to list (default 10)
  --format <f>, --sheet <name>, --delimiter <c>, --encoding <e>, --[no-]header, --ragged extend
                         as for clean (they describe the input)
  --quiet                no progress bar

Examples:
  tidyvault profile fixtures/w1/input.csv
  tidyvault profile data.parquet --json > profile.json
`,
  cluster: `Usage: tidyvault cluster <input> --column <name> --method <method> [options]

Finds groups of values that are probably the same thing spelled differently, with OpenRefine's
clustering methods (key collision and nearest neighbour) and its results: values are shown
exactly as in the file, by count (most first) then by code point; the first value of each
cluster is the suggested spelling (OpenRefine's default merge value). Only clusters of two or
more values, largest first. A recipe's cluster-merge step merges them all, on each run.

Methods (--method):
  fingerprint        trim, lower-case, fold accents and ligatures (NFKD), drop punctuation,
                     sort and dedupe the words: "Café, Paris" and "paris cafe" meet
  ngram-fingerprint  the same folding, whitespace removed, sorted distinct character n-grams
                     (--ngram-size, default 2): catches run-together and split words
  cologne-phonetic   Kölner Phonetik (German names: Meyer, Maier, Mayr)
  daitch-mokotoff    Daitch–Mokotoff Soundex, six digits (Slavic and Yiddish names:
                     Moskowitz, Moskovitz; Schwarzenegger, Shwarzenegger)
  metaphone3         not available yet (exits 1 naming it)
  levenshtein, ppm   nearest-neighbour methods, with --radius and --blocking-ngram-size

Options:
  --column <name>            the column to cluster                          (required)
  --method <m>               one of the methods above                        (required)
  --ngram-size <n>           n-gram size for ngram-fingerprint, 1–10 (default 2)
  --radius <r>               levenshtein/ppm distance radius (default 1)
  --blocking-ngram-size <n>  levenshtein/ppm blocking n-gram size (default 6)
  --json                     print {"column","method","clusters":[{"values":[{"value","count"}],"suggested"}]}
  --format <f>, --sheet <name>, --delimiter <c>, --encoding <e>, --[no-]header  as for clean

Examples:
  tidyvault cluster fixtures/w1/input.csv --column name --method fingerprint
  tidyvault cluster people.csv --column city --method ngram-fingerprint --ngram-size 1 --json
  tidyvault cluster people.csv --column surname --method cologne-phonetic
  tidyvault cluster people.csv --column surname --method daitch-mokotoff --json
`,
  duplicates: `Usage: tidyvault duplicates <input> --columns <a,b,…> [options]

Finds rows that are probably the same record written differently, comparing the given text
columns: case, accents, punctuation and spacing are ignored, and values within a small edit
distance count as similar (a row's score is the weighted mean of its columns' similarities).
Identical rows are one record; linked records form a group. Groups are listed best first with
their score and how many rows hold each spelling — candidates for a person to confirm. A
confirmed group goes into a dedupe-groups step (docs/RECIPE.md), which keeps its first row.

Options:
  --columns <a,b,…>          the text columns to compare, 1–8                  (required)
  --threshold <t>            lowest score that links two rows, 0.5–1 (default 0.85)
  --json                     print {"columns","tuples","groups":[{"score","keys","counts"}],"truncated"}
  --format <f>, --sheet <name>, --delimiter <c>, --encoding <e>, --[no-]header  as for clean

Limits: up to 50,000 distinct value combinations are compared; 1,000 groups are listed.

Examples:
  tidyvault duplicates people.csv --columns name,city
  tidyvault duplicates people.csv --columns name --threshold 0.9 --json
`,
  sql: `Usage: tidyvault sql <recipe.json> [--input <file>]

Prints the single DuckDB query the recipe compiles to (one CTE per step). The query reads a
table named "input". Without --input, the input columns are taken to be the text columns the
recipe names; with --input they are the file's columns, so steps that apply to "all text
columns" are exact.

Options:
  --input <file>         the file whose columns the query reads
  --format <f>, --sheet <name>, --delimiter <c>, --encoding <e>, --[no-]header
                         as for clean (they describe the input)

Examples:
  tidyvault sql fixtures/w1/recipe.json
  tidyvault sql fixtures/w1/recipe.json --input fixtures/w1/input.csv
`,
  users: `Usage: tidyvault users <subcommand> [options]

The local accounts of 'tidyvault serve --auth local', kept in $TIDYVAULT_HOME/users.json (0600).
Run it on the server's machine as the server's user; a running server sees every change at the
next request. There are no default accounts.

Subcommands:
  add <name> [--role R] --password-stdin  a new account: a member unless --role (or --admin) says
  list [--json]                           every account: name, role, active or disabled, dates
  disable <name>                          cannot sign in any more; their sessions end at once
  enable <name>                           can sign in again (old sessions stay ended)
  reset-password <name> --password-stdin  a new password; their sessions end at once

Options:
  --password-stdin   read the password from standard input (one trailing newline is dropped);
                     passwords are never taken as arguments, where other users could see them
  --role <role>      the account's role:
                       member  uploads and cleans datasets, and shares them (the default)
                       viewer  only views and exports what others share with it: cannot upload,
                               change a recipe, share or delete
                       admin   a member who also manages the server; cannot open other users'
                               datasets unless they are shared with them
  --admin            the same as --role admin
  --home <folder>    the data folder (default: $TIDYVAULT_HOME, else ~/.tidyvault)
  --json             list as {"users":[{"name","role","disabled","createdAt","passwordChangedAt"}]}

Names: 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit, kept in
lower case (Dave is dave; signing in ignores case).
Passwords: 8 to 1024 characters, any characters, not one of the most common breached
passwords (Openwall's list, any case), no other rules; stored as argon2id hashes
(m=19456 KiB, t=2, p=1).
Exit codes: 0 ok, 1 refused (name taken or unknown, password too short or too common,
unreadable file), 2 usage error.

Examples:
  printf '%s' "$ADMIN_PASSWORD" | tidyvault users add alice --admin --password-stdin
  tidyvault users add bob --password-stdin < bob-password.txt
  tidyvault users add auditor --role viewer --password-stdin < auditor-password.txt
  tidyvault users list
  tidyvault users disable bob
  printf '%s' "$NEW_PASSWORD" | tidyvault users reset-password bob --password-stdin
`,
  audit: `Usage: tidyvault audit verify [--home <folder>]

Checks the audit log of 'tidyvault serve', $TIDYVAULT_HOME/audit.db: who signed in, uploaded,
viewed, changed, exported and deleted which dataset, and when, and what was refused. It never
holds cell values, file contents, file or column names, or tokens.

Each record holds the SHA-256 hash of the record before it, and an HMAC made with a key derived
from the server's key ($TIDYVAULT_HOME/server.key); a last HMAC anchors the newest record. So an
edited, deleted or reordered record breaks the chain, and a chain rewritten to look whole fails
the HMACs unless whoever rewrote it also had the server's key. Read-only: it may run while the
server runs, as the server's user.

Options:
  --home <folder>   the server's data folder (default: $TIDYVAULT_HOME, else ~/.tidyvault)

Exit codes: 0 intact (prints the number of records and the last record's hash); 1 not intact
(names the first edited, deleted or reordered record, or the anchor), or no log or key there;
2 usage error.

Examples:
  tidyvault audit verify
  tidyvault audit verify --home /srv/tidyvault
`,
  secrets: `Usage: tidyvault secrets <subcommand> [options]

Named connections to data sources (PostgreSQL) and secret values such as server keys, kept in
$TIDYVAULT_HOME/secrets.json (0600).
Settings are readable there; the password is encrypted (AES-256-GCM, a fresh key per secret,
wrapped by the secrets key) and bound to the connection's name and settings, so it cannot be
moved to another connection or sent to another host without the key. The secrets key is 32
random bytes in base64, given as a file (--secrets-key-file, or TIDYVAULT_SECRETS_KEY_FILE; mode
600, kept outside $TIDYVAULT_HOME) or as TIDYVAULT_SECRETS_KEY; it is never stored with the secrets.
Passwords are never printed, logged or sent to a browser.

Subcommands:
  new-key [--out <file>]        print a new random secrets key, or write it to a new 0600 file
  set <name> --host <h> --database <d> --user <u> [--password-stdin] [options]
                                create or change a connection (an existing one keeps what
                                is not given, its password too unless --password-stdin or
                                --no-password)
  set-value <name> --value-stdin a secret value on its own, such as a server key (the OIDC
                                client secret: serve --oidc-client-secret-name <name>)
  list [--json]                 every connection (settings, whether a password is stored) and
                                value (never a secret itself)
  delete <name>                 forget a connection or value
  rotate-key --new-key-file <f> re-encrypt every secret with the key in <f> (fresh data keys);
                                afterwards the old key opens nothing

Options of set:
  --host <h>, --port <n> (5432), --database <d>, --user <u>
  --password-stdin       read the password from standard input (one trailing newline dropped);
                         never as an argument, where other users could see it
  --no-password          store no password (the server authenticates otherwise)
  --sslmode <m>          verify-full (default): TLS 1.2+, the certificate must chain to
                         --ca-file (or the system's CAs) and name the host; disable: no TLS
                         (a warning each time it is used). require/verify-ca are not offered:
                         they do not prove the server is the one you meant
  --ca-file <pem>        the CA that signs the server's certificate ('system': none, use the
                         system's trusted CAs)
  --server-users <list>  who may use it through 'tidyvault serve': user names (comma-separated)
                         or '*' for every signed-in user; default none (command line only)
Common options:
  --home <folder>        the data folder (default: $TIDYVAULT_HOME, else ~/.tidyvault)
  --secrets-key-file <f> the secrets key (default: $TIDYVAULT_SECRETS_KEY_FILE, then
                         $TIDYVAULT_SECRETS_KEY); needed by set and rotate-key (the current key)

Exit codes: 0 ok; 1 refused (wrong key, a record altered, no such connection); 2 usage error
(also: no key, or a key that is not 32 random bytes in base64).

Examples:
  tidyvault secrets new-key --out /etc/tidyvault/secrets.key
  export TIDYVAULT_SECRETS_KEY_FILE=/etc/tidyvault/secrets.key
  printf '%s' "$PGPASSWORD_SALES" | tidyvault secrets set pg.sales --host db.example.org \\
    --database sales --user reader --ca-file /etc/ssl/db-ca.pem --password-stdin
  tidyvault secrets list
  tidyvault secrets new-key --out /etc/tidyvault/secrets.key.new
  tidyvault secrets rotate-key --new-key-file /etc/tidyvault/secrets.key.new
`,
  validate: `Usage: tidyvault validate <recipe.json> [--input <file>]

Checks the recipe's JSON against recipe v1 and every regular expression and date format.
With --input, also checks every column a step uses exists with the right type at that step.
Exit code 0 when valid, 1 with one message naming the step and field when not.

Options:
  --input <file>         check the recipe against this file's columns
  --format <f>, --sheet <name>, --delimiter <c>, --encoding <e>, --[no-]header
                         as for clean (they describe the input)

Examples:
  tidyvault validate fixtures/w1/recipe.json
  tidyvault validate fixtures/w1/recipe.json --input fixtures/w1/input.csv
`,
  serve: `Usage: tidyvault serve [--host 127.0.0.1] [--port 5177] [--config <file>] [options]

Starts the Tidyvault server. Uploaded datasets are held in this process's memory (a sandboxed
in-memory DuckDB) and nowhere else; they are purged on delete, after 60 idle minutes, 24 hours
after upload (see --dataset-idle, --dataset-max-age), or when the server stops.

Signing in (--auth):
  single (default)  one user. It prints a one-time login link (like Jupyter): opening it signs
                    you in with a session cookie and the link stops working.
  local             accounts with passwords, made with 'tidyvault users' (see its --help); each
                    user sees only their own datasets. No accounts exist until you add them:
                    while no administrator exists, it prints a one-time setup token (valid 15
                    minutes) for POST /api/auth/setup {token, username, password}, which the web
                    app's first screen asks for.
  oidc              single sign-on with an OpenID Connect provider (--oidc-issuer, --oidc-client-id,
                    the client secret in a 0600 file or TIDYVAULT_OIDC_CLIENT_SECRET; register
                    <address>/auth/oidc/callback at the provider). Code flow with PKCE, state and
                    nonce; each (issuer, subject) gets its own account (users.json), never one
                    matched by email; first sign-in makes a member (--oidc-admin-subject: admin).

Local only (--local-only): serves the workbench's files and nothing else — no API, no
sessions, no engine. Files opened there are cleaned in the visitor's browser (DuckDB-WASM)
and never reach this server. Only --host, --port and --config apply. Needs the local build
(npm run build:local; npm install makes it).

Where settings come from, first found wins:
  1. a flag                    --port 8080
  2. its environment variable  TIDYVAULT_PORT=8080
  3. the config file           {"port": 8080} in --config <file>, else $TIDYVAULT_CONFIG,
                               else $TIDYVAULT_HOME/config.json (optional; a file named by
                               --config or TIDYVAULT_CONFIG must exist). Relative paths in it
                               are relative to its folder; an unknown key or a bad value is an
                               error naming the file and the key.
  4. the default               shown below
Sizes: 500MB, 2GB, 1MiB (1 KB = 1024 bytes; a plain number of bytes in the config file).
Durations: 90s, 30m, 12h, 2d.

Settings:
${settingsHelp()}
  --config <file>          the config file (env TIDYVAULT_CONFIG)

TIDYVAULT_HOME (default ~/.tidyvault) is the private data folder (created 0700); the instance
key server.key (0600) is made there on first run. Logs (JSON, on stderr) hold operations, ids
and timings, never cell values, file names or tokens.

Examples:
  tidyvault serve
  tidyvault serve --port 8080 --max-upload 500MB --dataset-idle 30m
  tidyvault serve --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem --allowed-host tidy.example.org
  TIDYVAULT_HOME=/srv/tidyvault tidyvault serve --host 10.0.0.5 --trust-proxy 10.0.0.1 --allowed-host tidy.example.org
  tidyvault serve --auth local
  tidyvault serve --auth oidc --oidc-issuer https://login.example.com/realms/main \\
    --oidc-client-id tidyvault --oidc-client-secret-file /etc/tidyvault/oidc-secret \\
    --oidc-redirect-url https://tidy.example.org/auth/oidc/callback --trust-proxy 10.0.0.1
  echo '{"port": 8080, "spillDir": "/srv/tidyvault/spill"}' > ~/.tidyvault/config.json
`,
};
