// Which install steps /ca opens first: the device's own system, from its user agent. A guess only
// (every section stays there to open); iPadOS reports itself as a Mac, told apart by its touch points.
export type Platform = "windows" | "mac" | "android" | "ios";

export function platformOf(userAgent: string, maxTouchPoints = 0): Platform | null {
  if (/iPhone|iPad|iPod/.test(userAgent)) return "ios";
  if (/Android/.test(userAgent)) return "android";
  if (/Macintosh|Mac OS X/.test(userAgent)) return maxTouchPoints > 1 ? "ios" : "mac";
  if (/Windows/.test(userAgent)) return "windows";
  return null;
}
