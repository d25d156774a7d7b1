// UI strings of the update banner (UpdateBanner.svelte), zh-TW first; merged into the app's messages in i18n.ts.

export const UPDATE_ZH = {
  updateAvailable: "有新版本，重新載入即可使用。",
  updateReload: "重新載入",
  updateReloading: "重新載入中…",
  updateSettling: "等待進行中的儲存完成…",
  updateIncompatible: "有新版本，重新載入：本版程式已不適用於機關伺服器，為免寫入錯誤資料已停止同步。未送出的變更保存在此裝置，重新載入後送出。",
  updateLocalNewer: "此裝置的本機資料是由較新版本的程式建立（資料庫第 {found} 版，本版程式只認得第 {known} 版）。為免損壞資料，本版不會開啟它；請重新載入以取得新版本。",
  updateDismiss: "稍後",
};

export const UPDATE_EN: Record<keyof typeof UPDATE_ZH, string> = {
  updateAvailable: "A new version is available — reload to use it.",
  updateReload: "Reload",
  updateReloading: "Reloading…",
  updateSettling: "Waiting for saving in progress to finish…",
  updateIncompatible: "A new version is available — reload: this version of the app no longer works with the agency server, so it stopped syncing rather than write wrong data. Unsent changes are kept on this device and sent after the reload.",
  updateLocalNewer: "This device's local data was written by a newer version of the app (database version {found}; this version knows up to {known}). To avoid damaging it, this version does not open it; reload to get the new version.",
  updateDismiss: "Later",
};
