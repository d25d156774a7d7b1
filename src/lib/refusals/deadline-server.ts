// Messages for the agency server's 時效管制 refusals (sync-server deadline/): the follow-up listing
// (稽催管制 and unit heads) and the 展期 policy in /admin.
import type { Messages } from "./types.ts";

export const FOLLOW_UP_MESSAGES: Messages<"follow-up"> = {
  "follow-up.forbidden": {
    zh: "稽催清單僅供稽催管制人員（全機關）及單位主管（所屬單位）查看；您的身分或所選單位不在此範圍內。",
    en: "The follow-up list is for the follow-up officer (agency-wide) and unit heads (their own units); your identity or the chosen unit is outside that.",
    way: "none",
  },
  "follow-up.unit": {
    zh: "通訊錄中沒有這個單位，請重新選擇單位。",
    en: "The directory has no such unit; choose the unit again.",
    way: "none",
  },
  "follow-up.filter": {
    zh: "篩選條件不正確（速別或文別不是系統所知的值），請重新選擇。",
    en: "A filter is not valid (the 速別 or 文別 is not a known value); choose again.",
    way: "none",
  },
};

export const DEADLINE_SERVER_MESSAGES: Messages<"deadline"> = {
  "deadline.no-delegation": {
    zh: "展期規定記載於分層負責明細表，本機關尚未設定分層負責明細表，請先設定後再儲存展期規定。",
    en: "The 展期 policy is kept in the delegation table, and none is set yet: set the delegation table first, then save the policy.",
    way: "none",
  },
  "deadline.policy": {
    zh: "展期規定的數值不正確：核定層級須為 1 至 20，次數與日數須為 0 以上的整數。",
    en: "A 展期 policy value is out of range: the approving level is 1 to 20, the count and the days whole numbers of 0 or more.",
    way: "none",
  },
};
