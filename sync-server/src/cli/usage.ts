/**
 * The command line's help: one entry per command, each with its usage lines and flags.
 * `countersign --help` prints them all under their headings; `countersign user --help` prints one.
 * A command added to main.ts without an entry here fails cli/help.test.ts.
 */

export interface CommandHelp {
  /** The first word of the command line: `countersign <command> …`. */
  command: string;
  /** Which heading of the full help it sits under. */
  section: "document" | "data" | "exchange";
  /** Usage lines and the explanation of each flag, indented as printed. */
  text: string;
}

export const HEADINGS: Record<CommandHelp["section"], string> = {
  document: "",
  data: `One agency's server data (DIR holds countersign.db; exits 0 ok, 1 refused with a one-line reason,
2 usage):`,
  exchange: `Exchange with other agencies (envelopes, 信封; the agency key is opened with the passphrase as for
serve: --passphrase-file F, else $COUNTERSIGN_PASSPHRASE, else DIR/ca-passphrase):`,
};

export const COMMANDS: readonly CommandHelp[] = [
  {
    command: "sample",
    section: "document",
    text: `  countersign sample --out FILE [--tamper KIND]
      Write a sample document (a 簽 routed through review, a parallel countersign by two units and a
      decision) and its CA certificate (FILE.ca.pem). KIND: signature, content-after-decision,
      unassigned-signer, missing-parent, altered-entry.`,
  },
  {
    command: "chain",
    section: "document",
    text: `  countersign chain verify FILE [--ca PEM] [--delegation JSON] [--deputies JSON] [--export-cms DIR] [--json]
      Verify every entry of the document's signature chain and print the derived workflow state.
      Exits 0 when every entry is valid, 1 with the first reason otherwise.
      --export-cms writes per entry ID.bin, ID.p7s and ca.pem for:
        openssl cms -verify -binary -inform DER -in ID.p7s -content ID.bin -CAfile ca.pem`,
  },
  {
    command: "init",
    section: "data",
    text: `  countersign init --data DIR --agency-code CODE --agency-name NAME [--passphrase-file F] [--store postgres://…]
      Create the store, the agency's certificate authority and a first administrator "admin" in a
      root unit; prints the administrator's one-time enrollment code. The passphrase sealing the CA
      key comes from F, else $COUNTERSIGN_PASSPHRASE, else a random one written to DIR/ca-passphrase.`,
  },
  {
    command: "unit",
    section: "data",
    text: `  countersign unit add --data DIR --id ID --name NAME [--parent ID]   |  unit list --data DIR [--json]`,
  },
  {
    command: "user",
    section: "data",
    text: `  countersign user add --data DIR --id ID --name NAME --unit ID --level N --roles a,b
      Roles: mail-room, registry, case-officer, supervisor, archives, follow-up, admin. Prints a
      one-time enrollment code (valid 7 days). user code --data DIR --id ID hands out a new one.
  countersign user code --data DIR --id ID
  countersign user list --data DIR [--json]`,
  },
  {
    command: "deputy",
    section: "data",
    text: `  countersign deputy add --data DIR --principal ID --deputy ID --from ISO --until ISO
  countersign deputy show --data DIR`,
  },
  {
    command: "delegation",
    section: "data",
    text: `  countersign delegation set --data DIR FILE.json   |  delegation show --data DIR`,
  },
  {
    command: "cert",
    section: "data",
    text: `  countersign cert register --data DIR --person ID --p12 FILE --password-file F
      Register a certificate issued elsewhere (e.g. 自然人憑證) from a PKCS #12 file.
  countersign cert revoke --data DIR --serial HEX`,
  },
  {
    command: "agency",
    section: "data",
    text: `  countersign agency ca --data DIR
      Print the agency's CA certificate (PEM).
  countersign agency extension-policy --data DIR [--approver-level N] [--max-count N] [--max-days N]
      Print, or set, the 展期 policy: the level that approves an extension (經機關首長核准: the
      agency head's by default), how many extensions and how many days in all a document may have
      before it goes to 專案管制. Kept in the delegation table (set that first); audited.
  countersign agency dispatch-prefix --data DIR [--set 代字]
      Print, or set, the 代字 of the agency's 發文字號 (e.g. 示教 → 示教字第1150000001號); unset,
      the first two characters of the agency's name.
  countersign agency smtp --data DIR [--set smtp://user:pass@host:port [--from ADDRESS] | --clear]
      Print, or set, the SMTP server serve mails through when started without --smtp (the password
      is stored in the data directory, shown hidden; audited as mail.smtp). --clear: no mail.`,
  },
  {
    command: "calendar",
    section: "data",
    text: `  countersign calendar import --data DIR FILE.csv
      Import the government's office calendar (政府行政機關辦公日曆表) as published in CSV: header
      西元日期,星期,是否放假,備註, dates 20260101, 是否放假 0 (workday) or 2 (day off). All or
      nothing: a wrong header, a bad date or a duplicated day imports nothing. Importing a year
      again replaces it. Due dates of open documents are derived again at the next serve.
  countersign calendar show --data DIR --year 115
      The ROC year's days off on weekdays and its make-up workdays (補行上班), with their 備註; a year
      not imported says 尚未匯入115年辦公日曆 and shows the fallback (weekends and fixed holidays).`,
  },
  {
    command: "audit",
    section: "data",
    text: `  countersign audit list --data DIR [--limit N] [--json]
      The audit log (稽核紀錄), newest first: every change to units, people, deputies, the delegation
      table, certificates and the trust list, by the app or this command line (who, when, what).
  countersign audit csv --data DIR [--limit N]
      The same as CSV for Excel (UTF-8 with a byte-order mark, a header row).`,
  },
  {
    command: "doc",
    section: "data",
    text: `  countersign doc list --data DIR [--json]
      The documents this agency holds (id, kind, status, 主旨), to find document ids.`,
  },
  {
    command: "report",
    section: "data",
    text: `  countersign report list [--json]
      The SOP's eight reports (報表一至八): id, word and official title —
        1 deadlines     (一) 公文限辦日期及公文處理使用日數彙整表
        2 reminders     (二) 各單位未辦結公文稽催通知單
        3 timeliness    (三) 公文時效統計表
        4 monthly       (四) 公文處理成績月報表
        5 comparison    (五) 公文處理成績比較表
        6 extensions    (六) 公文處理展期原因彙整表
        7 lateness      (七) 公文處理逾限原因彙整表
        8 paper-online  (八) 公文處理（紙本／電子簽核）成效比較表
  countersign report NAME --data DIR (--from DAY --to DAY | --month MONTH) [--unit ID] [--as-of DAY]
                     [--format csv|ods|json] [--out FILE] [--store postgres://…]
      One report, agency-wide (a row per unit and the total) or for --unit. NAME: 1–8 or the word.
      DAY: 115/11/01, 115-11-01 or 2026-11-01; MONTH: 115-11 or 2026-11. --as-of: the day open
      documents are judged on (default today). Format: --format, else --out's extension, else json;
      csv is UTF-8 with a BOM for Excel, ods needs --out. --out is written whole or not at all.`,
  },
  {
    command: "kpi",
    section: "data",
    text: `  countersign kpi --data DIR --month MONTH [--unit ID] [--baseline MONTH] [--json] [--store postgres://…]
      One month's KPIs: 線上簽核比率 = 線上簽核件數 ÷ (收文總數 − 密件數 + 自創簽稿數), 電子交換比率,
      平均處理日數, 逾期率, 展期件數, 公文效率提升 against --baseline, paper saved (4 sheets each).`,
  },
  {
    command: "serve",
    section: "data",
    text: `  countersign serve --data DIR [--port N] [--host H] [--passphrase-file F] [--no-app]
                    [--store postgres://…] [--fanout redis://…] [--max-loaded N] [--idle-ms N]
                    [--smtp smtp://user:pass@host:port] [--mail-from ADDRESS]
      Serve the agency: the web app, the JSON API, the y-websocket relay (/sync/<docId>), /healthz
      and /metrics (Prometheus). Port: --port, else $PORT, else 8080. SIGTERM/SIGINT stop gracefully.
      Scaled out: --store keeps the data in PostgreSQL (init it with init --store), and --fanout lets
      several serve processes share rooms through Redis.
      Mail: --smtp sends the 期前/逾期 reminders (working days from 08:00 Taipei), each unit head's
      weekly 稽催通知單 and those sent from the follow-up desk, queued and retried while the SMTP
      server is away (smtps:// for TLS from the start); --mail-from sets the From: address.
      Without --smtp no mail is queued.
      Memory: --max-memory SIZE (512M, 2G) bounds the JavaScript heap; without it, a quarter of the
      machine's memory (half of a container's limit), from 128 MiB to 4 GiB. The start line says which.
      --app DIR serves that build of the web app instead of build/ (GET /api/version reports its version).
      HTTPS: --tls-cert FILE --tls-key FILE serve HTTPS and WSS on the port (a certificate from
      countersign tls issue, or from the agency's usual provider); --http-redirect-port N adds a
      plain-HTTP port that only redirects there. --trust-proxy ADDR,… (addresses or CIDR ranges):
      rate limits and logs take the client's address from X-Forwarded-For sent by those proxies only.`,
  },
  {
    command: "demo",
    section: "data",
    text: `  countersign demo --data DIR [--history-days N]
      Create a demo agency in an empty DIR: units, a delegation table and a person in each role, with
      one-time enrollment codes (also in DIR/demo-codes.txt). npm start runs it on first start.
      --history-days N   days of signed history before today (0–182, default 182: six months)`,
  },
  {
    command: "backup",
    section: "data",
    text: `  countersign backup (--data DIR | --store postgres://…) (--out FILE | --dir DIR [--keep N])
      A consistent copy of the store, safe to take while the server runs. One format for both stores
      (an SQLite store file marked with its schema version and release), so it restores into either.
      --dir names the file by the time (countersign-<UTC>.backup); --keep N then keeps the newest N
      backups this command made there and never removes other files.`,
  },
  {
    command: "restore",
    section: "data",
    text: `  countersign restore (--data DIR | --store postgres://…) FILE
      Restore a backup (of either store, or an earlier PostgreSQL JSON-lines backup) into an empty
      data directory or an empty PostgreSQL database. A backup from a newer release is refused.`,
  },
  {
    command: "tls",
    section: "data",
    text: `  countersign tls issue --data DIR --host NAME [--host NAME2 …] [--ip ADDR …] --cert FILE --key FILE
                        [--days N] [--passphrase-file F]
      A TLS server certificate from the agency CA for serve --tls-cert/--tls-key: for a box on a
      LAN reached as https://NAME or https://ADDR, whose devices trust the agency CA once (/ca).
      serverAuth only, subjectAltName NAME… and ADDR…, an EC P-256 key (FILE mode 0600), valid N
      days (default 397, at most 398). Audited (tls.issue).`,
  },
  {
    command: "trust",
    section: "exchange",
    text: `  countersign trust add --data DIR PEM [--url URL] [--delegation FILE.json] [--yes]
      Trust another agency's CA certificate: prints its agency code and SHA-256 fingerprint and asks
      for confirmation (on a terminal; otherwise --yes is required).
  countersign trust list --data DIR [--json] [--all]   |  trust remove --data DIR --agency CODE
  countersign trust revoke --data DIR --agency CODE --serial HEX [--serial HEX …]
      Record certificates the other agency says it revoked: their signatures are refused here.`,
  },
  {
    command: "envelope",
    section: "exchange",
    text: `  countersign envelope export --data DIR --doc ID [--doc ID2 …] --to CODE --out FILE
                              [--purpose P] [--answers ENV] [--encrypt] [--full]
      A signed envelope for agency CODE (in the trust list). P: countersign-request (default),
      countersign-reply, review-request, dispatch, receipt. --encrypt: CMS EnvelopedData for the
      recipient's CA (required for 密 and above). --full: the whole state even when a delta would do.
  countersign envelope import --data DIR FILE
      Verify everything, then import all or nothing; prints imported or duplicate and writes the
      signed receipt (回執) for the sender to FILE.receipt.csenv.
  countersign envelope verify --data DIR FILE
      Exits 0 when the envelope would import here, 1 with a one-line reason when not.`,
  },
  {
    command: "di",
    section: "exchange",
    text: `  countersign di export --data DIR --doc ID --out FILE [--to CODE …]
      The 函 or 簽 as DI XML (official DTDs), its SW roster as FILE.sw.xml, and its attachments.`,
  },
];

const TITLE = "countersign — 公文線上簽核 command line";

/** The whole help, as `countersign --help` prints it. */
export function fullUsage(): string {
  const parts = [`${TITLE}\n\nUsage:\n  countersign --help | --version   |  countersign COMMAND --help`];
  for (const section of ["document", "data", "exchange"] as const) {
    const heading = HEADINGS[section];
    const body = COMMANDS.filter((c) => c.section === section).map((c) => c.text).join("\n");
    parts.push(heading === "" ? body : `${heading}\n${body}`);
  }
  return parts.join("\n\n") + "\n";
}

/** One command's help (`countersign user --help`), or undefined for a command that does not exist. */
export function commandUsage(command: string): string | undefined {
  const c = COMMANDS.find((x) => x.command === command);
  return c === undefined ? undefined : `Usage:\n${c.text}`;
}
