// Messages for 發文 and 歸檔 (issue 9): the mail room's and the archives' routes, and the index row's
// holder keys.
import type { Messages } from "./types.ts";

export const FILING_MESSAGES: Messages<"dispatch" | "archive" | "index"> = {
  "dispatch.forbidden": {
    zh: "只有收發文人員可以取號發文、查看待發文或下載發文檔案。",
    en: "Only the mail room (收發文) may reserve dispatch numbers, see the dispatch queue or download dispatch files.",
    way: "none",
  },
  "dispatch.not-waiting": {
    zh: "這份公文不是已決行、待發文的函稿（或尚未發文），無法取得發文字號或發文檔案；請重新整理待發文清單。",
    en: "This document is not a decided letter waiting for dispatch (or already dispatched, for its files); reload the dispatch queue.",
    way: "redownload",
  },
  "dispatch.no-recipients": {
    zh: "這份函稿沒有受文者（正本、副本），無法產生紙本發文的檔案；請承辦人補上受文者。",
    en: "The letter names no recipients (受文者, 正本, 副本), so its paper dispatch files cannot be addressed; ask its case officer to add them.",
    way: "none",
  },
  "dispatch.prefix": {
    zh: "發文字號的機關代字必須是一到十個中文字（例如「示教」）。",
    en: "The agency's 代字 of its dispatch numbers must be one to ten Han characters (e.g. 示教).",
    way: "none",
  },
  "archive.forbidden": {
    zh: "只有檔案管理人員可以歸檔、查詢檔案或調閱（調閱紀錄另開放系統管理員查看）。",
    en: "Only the archives (檔案室) may archive, search the archives or record a 調閱 (administrators may also see the 調閱 record).",
    way: "none",
  },
  "archive.not-archived": {
    zh: "這份公文尚未歸檔；調閱只適用於已歸檔的公文。",
    en: "This document is not archived; 調閱 is for archived documents only.",
    way: "none",
  },
  "index.holder-key": {
    zh: "公文索引中的持有人代碼格式不正確。",
    en: "A holder key in the document index is malformed.",
    way: "none",
  },
};
