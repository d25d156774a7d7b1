// The agency server package. For now it holds the `countersign` command line; the relay, storage,
// identity and directory join it as they are built.
export { main as runCli, type Io } from "./cli/main.ts";
