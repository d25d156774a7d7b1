/** The top-level parts of a document, as `applyUpdateTracked` reports them. */
export type DocumentPart = "meta" | "subject" | "body" | "attachments" | "plan" | "chain" | "versions" | "receipts" | "other";

export function partOf(name: string): DocumentPart {
  if (name.startsWith("body.")) return "body";
  switch (name) {
    case "meta":
    case "subject":
    case "attachments":
    case "plan":
    case "chain":
    case "versions":
    case "receipts":
      return name;
    default:
      return "other";
  }
}
