// Types of build-state.mjs for the TypeScript that reads it (tests); the script stays plain JavaScript
// because bin/countersign.js runs it before anything can compile TypeScript.
export interface BuildState {
  fresh: boolean;
  /** Empty when fresh; else the first reason it is not, as a sentence fragment. */
  reason: string;
}
export const ROOT: string;
export const SERVER_PACKAGES: readonly string[];
export const STAMP: string;
export function newestMtime(path: string): number;
export function serverBuildState(root?: string): BuildState;
export function serverBuilt(root?: string): boolean;
export function appBuildState(root?: string): BuildState;
