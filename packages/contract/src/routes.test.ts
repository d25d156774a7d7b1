import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROUTES, matchRoute, openApiText, apiMarkdown, paramNames, type RouteSpec } from "./index.ts";
import { API_MD_FILE, OPENAPI_FILE } from "./write-docs.ts";

const routes = Object.entries(ROUTES) as [string, RouteSpec][];

describe("the route table", () => {
  it("names each method and path once, and declares a schema for every path parameter", () => {
    const seen = new Set<string>();
    for (const [key, r] of routes) {
      const id = `${r.method} ${r.path}`;
      expect(seen.has(id), id).toBe(false);
      seen.add(id);
      expect(Object.keys(r.params?.shape ?? {}).sort(), key).toEqual(paramNames(r.path).sort());
      expect(r.response.json || r.response.bytes, key).toBeTruthy();
    }
  });

  it("matches a path without parameters before one with them, and lists the methods a path has", () => {
    expect(matchRoute(ROUTES, "POST", "/api/blobs/missing")).toMatchObject({ key: "blobsMissing" });
    expect(matchRoute(ROUTES, "GET", "/api/blobs/abc")).toMatchObject({ key: "getBlob", params: { sha256: "abc" } });
    expect(matchRoute(ROUTES, "DELETE", "/api/units")).toEqual({ allowed: ["GET", "POST"] });
    expect(matchRoute(ROUTES, "GET", "/api/nothing")).toBeUndefined();
  });
});

describe("the checked-in API documents", () => {
  // Stale documents: run `npm run docs:api` and commit docs/openapi.json and docs/api.md.
  it("docs/openapi.json is the document the table makes", () => {
    expect(readFileSync(OPENAPI_FILE, "utf8")).toBe(openApiText());
  });

  it("docs/api.md is the list the table makes", () => {
    expect(readFileSync(API_MD_FILE, "utf8")).toBe(apiMarkdown());
  });

  it("describes every route, with the refusal shape", () => {
    const doc = JSON.parse(openApiText()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0)).toBe(routes.length);
    expect(doc.components.schemas.Refusal).toMatchObject({ required: ["ok", "code", "reason"] });
  });
});
