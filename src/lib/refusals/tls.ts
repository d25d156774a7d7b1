// Messages for HTTPS on the agency's own server (sync-server tls/): the command line's refusals of
// `countersign tls issue` and `serve --tls-cert / --tls-key / --trust-proxy`. People meet them only
// through the administrator, so they speak to the administrator.
import type { Messages } from "./types.ts";

export const TLS_MESSAGES: Messages<"tls"> = {
  "tls.host": {
    zh: "主機名稱不是有效的 DNS 名稱（英數字與連字號組成的標籤，可用 *. 開頭）；IP 位址請改用 --ip。",
    en: "The host name is not a DNS name (labels of letters, digits and hyphens, optionally starting with *.); give an IP address with --ip.",
    way: "none",
  },
  "tls.ip": {
    zh: "IP 位址格式不正確，應為 IPv4 或 IPv6 位址。",
    en: "The IP address is not an IPv4 or IPv6 address.",
    way: "none",
  },
  "tls.days": {
    zh: "憑證效期須為 1 至 398 天；瀏覽器不接受效期更長的伺服器憑證。",
    en: "The validity must be 1 to 398 days; browsers refuse a server certificate valid longer.",
    way: "none",
  },
  "tls.ca-expired": {
    zh: "本機關憑證管理中心（CA）已過期，無法再簽發憑證。",
    en: "The agency CA has expired and cannot issue certificates.",
    way: "none",
  },
  "tls.unreadable": {
    zh: "無法讀取 TLS 憑證或金鑰檔案；請確認路徑與檔案權限。",
    en: "The TLS certificate or key file cannot be read; check the path and the file's permissions.",
    way: "none",
  },
  "tls.cert-parse": {
    zh: "TLS 憑證檔案中沒有憑證（應為 PEM 或 DER 格式）。",
    en: "The TLS certificate file holds no certificate (PEM or DER).",
    way: "none",
  },
  "tls.key-parse": {
    zh: "TLS 金鑰檔案中沒有私鑰，或私鑰已加密；伺服器只接受未加密的私鑰（檔案權限 600）。",
    en: "The TLS key file holds no private key, or an encrypted one; the server takes an unencrypted key (file mode 600).",
    way: "none",
  },
  "tls.key-mismatch": {
    zh: "TLS 私鑰與憑證不相符，伺服器不啟動；請提供同一組憑證與私鑰。",
    en: "The TLS key does not match the certificate, so the server does not start; give the key of that certificate.",
    way: "none",
  },
  "tls.cert-expired": {
    zh: "TLS 憑證已過期，伺服器不啟動；請以 countersign tls issue 重新簽發或向憑證供應商更新。",
    en: "The TLS certificate has expired, so the server does not start; issue a new one (countersign tls issue) or renew it.",
    way: "none",
  },
  "tls.cert-not-yet-valid": {
    zh: "TLS 憑證尚未生效，伺服器不啟動；請檢查本機時鐘。",
    en: "The TLS certificate is not valid yet, so the server does not start; check this machine's clock.",
    way: "none",
  },
  "tls.trust-proxy": {
    zh: "--trust-proxy 的項目不是 IP 位址或 CIDR 網段（例如 127.0.0.1、10.0.0.0/8）。",
    en: "A --trust-proxy entry is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8).",
    way: "none",
  },
  "tls.usage": {
    zh: "HTTPS 相關參數不完整：--tls-cert 與 --tls-key 須一起提供，--http-redirect-port 需搭配 HTTPS。",
    en: "The HTTPS flags do not fit together: --tls-cert and --tls-key go together, and --http-redirect-port needs HTTPS.",
    way: "none",
  },
};
